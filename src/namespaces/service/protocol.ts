/**
 * What the CLI (and the namespace, while it realizes) and the supervisor say
 * to each other over the supervisor's Unix socket: one JSON request per
 * connection, on one line, answered by one JSON line.
 */
import { join } from 'node:path';
import type { ServiceState } from './running.js';
import type { ServiceSpec } from './spec.js';

export type Request =
  /** Start the service (or join the running one) on behalf of `holder`; answered once it is ready. */
  | { readonly op: 'start'; readonly spec: ServiceSpec; readonly holder: string }
  /**
   * Start every service of `specs` (or join those that run) on behalf of `holder`, each the moment the ones it
   * needs (in `specs` or running) are ready, then hold `hold.id` as `hold` does: one question for a whole chain.
   * Answered once all are ready (`services`, in the order they became ready; `service`, the one held), or with
   * the error of the first that failed; nothing of it is then left running for `holder`.
   */
  | { readonly op: 'start-all'; readonly specs: readonly ServiceSpec[]; readonly holder: string; readonly hold: { readonly id: string; readonly root?: string } }
  /**
   * Name the running service `id` by the root `root` (moved from another service if it had one); without
   * `root`, by its label (`name=`, else `args[0]`), as `nomia up` without `--root` does: one question, not two.
   * With `ifReady`, a service that is not ready now is `service/not-found` and nothing is held (the memo of `up`).
   */
  | { readonly op: 'hold'; readonly id: string; readonly root?: string; readonly ifReady?: boolean }
  /** Let go of root `root` (or of every root): what nothing holds any more stops, dependents first. */
  | { readonly op: 'down'; readonly root?: string; readonly all?: boolean }
  | { readonly op: 'status' };

/** One service, as `nomia status` shows it. */
export interface ServiceInfo {
  readonly id: string;
  readonly label: string;
  /** The roots naming it (`nomia up --root R`). */
  readonly roots: readonly string[];
  /**
   * The roots of the running services that need it, through their own dependents where they have no root
   * (systemd's "required by"): what keeps a service that was started because another needs it. Sorted.
   */
  readonly via: readonly string[];
  /** `host:port` once ready, else ''. */
  readonly endpoint: string;
  readonly pid: number | undefined;
  readonly state: ServiceState;
  readonly ready: boolean;
  /** Seconds since the current process started. */
  readonly uptime: number;
  readonly restarts: number;
  readonly lastExit: string | undefined;
  /** The ids of the services it needs. */
  readonly needs: readonly string[];
  readonly log: string;
}

export type Response =
  | { readonly ok: true; readonly service?: ServiceInfo; readonly services?: readonly ServiceInfo[]; readonly stopped?: readonly string[] }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly hint?: string };

/** A holder for a process that realized a service (`start`'s holder): let go of when that process has exited. */
export const processHolder = (pid: number) => `pid:${pid}`;

/** Where a store's services live: `<home>/services/` (socket, pid file, one directory per service). */
export function servicesDir(home: string): string {
  return join(home, 'services');
}

export const socketPath = (home: string) => join(servicesDir(home), 'supervisor.sock');
export const pidPath = (home: string) => join(servicesDir(home), 'supervisor.pid');
