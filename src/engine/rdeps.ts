/**
 * Which recorded names lead to an object (`bazel query rdeps`, over what
 * realize recorded): the reductions whose results are the object or refer to
 * it, directly or through other objects, and the reductions that lead to
 * those through further names (`git:latest → git:exact-fetch → by-content`).
 *
 * The database keeps names by spelling (a hash), so a reduction is reported
 * by the spelling it is recorded from, with the names that have that
 * spelling where the database holds one (the name of an earlier step).
 */
import { parseByContentName } from '../resource/by-content.js';
import type { Registry } from '../namespace/registry.js';
import { spellName } from '../namespace/spelling.js';
import type { ReductionRow } from '../store/database.js';
import { referrersClosure } from '../store/closure.js';
import { findObject, type Store } from '../store/store.js';
import { GRAPH, TEXT } from './whole-name.js';

/** A recorded reduction that leads to the object asked about. */
export interface RecordedLead {
  /** The spelling the reduction is recorded from: what realize looks its name up by. */
  readonly spelling: string;
  /** Names the database holds (as targets of other reductions) that have this spelling; often none. */
  readonly names: readonly string[];
  /** What it reduces to: a name, or for a whole name (`kind: 'whole-name'`) its results. */
  readonly to: readonly string[];
  /** How it was recorded; `whole-name`: the engine's record of a whole name's results. */
  readonly kind: ReductionRow['kind'] | 'whole-name';
  /** Who recorded it: a namespace's spelling, `user`, or the engine. */
  readonly namespace: string;
  /** The object among its results that is, or refers to, the object asked about (a store entry). */
  readonly via: string;
  /** Its result is the object itself, not one that refers to it. */
  readonly direct: boolean;
}

export interface RdepsOptions {
  /** Only reductions whose results are the object itself (not objects referring to it). */
  readonly direct?: boolean;
}

/** The store entry a by-content name names, or undefined for any other name. */
function objectNamed(store: Store, name: string): string | undefined {
  if (!name.startsWith('filesystem:by-content')) return undefined;
  try {
    const ref = parseByContentName(name);
    return ref && findObject(store, ref.hash, ref.name)?.path;
  } catch {
    return undefined;
  }
}

function targetsOf(row: ReductionRow): string[] {
  if (row.namespace !== GRAPH) return [row.to];
  try {
    const names: unknown = JSON.parse(row.to);
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** The recorded reductions that lead to `object` (a store entry), sorted by spelling. */
export function rdeps(store: Store, object: string, registry: Registry, options: RdepsOptions = {}): RecordedLead[] {
  const reached = new Set(options.direct ? [object] : referrersClosure(store, [object]));
  const rows = store.db.reductions().filter((r) => r.namespace !== TEXT);
  const spellings = new Map<string, string | undefined>();
  const spelled = (name: string): string | undefined => {
    if (!spellings.has(name)) spellings.set(name, spellName(name, registry));
    return spellings.get(name);
  };
  // A spelling that leads to the object → the object of its results that does.
  const leads = new Map<string, string>();
  const found: { row: ReductionRow; via: string }[] = [];
  const consider = (row: ReductionRow): boolean => {
    for (const name of targetsOf(row)) {
      const entry = objectNamed(store, name);
      const via = entry !== undefined ? (reached.has(entry) ? entry : undefined) : leads.get(spelled(name) ?? '');
      if (via === undefined) continue;
      found.push({ row, via });
      if (!leads.has(row.from)) leads.set(row.from, via);
      return true;
    }
    return false;
  };
  // Chains are short (a handful of steps): go over the rows left until a pass adds nothing.
  let pending = rows;
  for (let pass = 0; pass < 32 && pending.length; pass++) {
    const before = found.length;
    pending = pending.filter((row) => !consider(row));
    if (found.length === before) break;
  }
  const namesOf = new Map<string, string[]>();
  for (const row of rows) {
    for (const name of targetsOf(row)) {
      const s = objectNamed(store, name) === undefined ? spelled(name) : undefined;
      if (s !== undefined && leads.has(s) && !namesOf.get(s)?.includes(name)) namesOf.set(s, [...(namesOf.get(s) ?? []), name]);
    }
  }
  return found
    .map(({ row, via }): RecordedLead => ({
      spelling: row.from, names: (namesOf.get(row.from) ?? []).sort(), to: targetsOf(row),
      kind: row.namespace === GRAPH ? 'whole-name' : row.kind, namespace: row.namespace, via, direct: via === object,
    }))
    .sort((a, b) => (a.spelling < b.spelling ? -1 : a.spelling > b.spelling ? 1 : a.namespace < b.namespace ? -1 : 1));
}
