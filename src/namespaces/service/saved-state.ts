/**
 * What a supervisor leaves for the next one: `services/state.json`, the
 * services it runs (spec, holders, and the pid and start time of each
 * one's process), rewritten on every change. A supervisor killed with
 * SIGKILL leaves its services running; the next supervisor (started by the
 * next `nomia up`, `status`, `logs` or `down`) reads this file and adopts
 * them. Written to a temporary file and renamed into place: a supervisor
 * killed mid-write leaves the previous state, never half of one. No
 * services: no file, so "no supervisor runs and none needs to" is one
 * `stat`.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedProcess } from './running.js';
import type { ServiceSpec } from './spec.js';

export interface SavedService {
  readonly spec: ServiceSpec;
  /** Its holders (roots, dependents, realizing processes), as supervisor.ts spells them. */
  readonly holders: readonly string[];
  /** Its process; absent while it was between a crash and its restart. */
  readonly process: SavedProcess | undefined;
}

const FORMAT = 'nomia-services-1';

export const statePath = (servicesDir: string) => join(servicesDir, 'state.json');

/** Whether a supervisor that ended left services behind. */
export function hasSavedState(servicesDir: string): boolean {
  return existsSync(statePath(servicesDir));
}

/** Replace the saved state with `services` (in start order: what a service needs comes before it). */
export function saveState(servicesDir: string, services: readonly SavedService[]): void {
  const path = statePath(servicesDir);
  if (services.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `{"format":${JSON.stringify(FORMAT)},"services":[${services.map(serviceJson).join(',')}]}`);
  renameSync(tmp, path);
}

/**
 * The JSON of each spec, made once: a spec does not change while its service runs, and the table is saved at
 * every spawn of a chain, so re-encoding every spec each time made a chain's saves grow as its square.
 */
const specJson = new WeakMap<ServiceSpec, string>();

/** `JSON.stringify(s)`, with the spec's text reused. */
function serviceJson(s: SavedService): string {
  let spec = specJson.get(s.spec);
  if (spec === undefined) specJson.set(s.spec, spec = JSON.stringify(s.spec));
  return `{"spec":${spec},"holders":${JSON.stringify(s.holders)}${s.process === undefined ? '' : `,"process":${JSON.stringify(s.process)}`}}`;
}

/** The services a previous supervisor left; none if it left nothing (or a state this version cannot read). */
export function loadState(servicesDir: string): SavedService[] {
  try {
    const saved = JSON.parse(readFileSync(statePath(servicesDir), 'utf8')) as { format?: string; services?: SavedService[] };
    return saved.format === FORMAT && Array.isArray(saved.services) ? saved.services : [];
  } catch {
    return [];
  }
}
