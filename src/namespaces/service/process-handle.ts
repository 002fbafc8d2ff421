/**
 * A service's process as the supervisor sees it: its pid and start time
 * (its identity: a pid alone may be recycled, DESIGN §6's process roots use
 * the same pair), and a promise of its end. A process the supervisor
 * spawned is its child and tells its end; one it adopted from a supervisor
 * that died is not, so its end is noticed by polling /proc, and its exit
 * status is unknown.
 */
import type { ChildProcess } from 'node:child_process';
import { processAlive, processStat } from '../../namespace/index.js';

export type Exit = { readonly status: number } | { readonly signal: string } | { readonly unknown: true };

export interface ProcessHandle {
  readonly pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 if it was reaped before it was read. */
  readonly start: number;
  /** Set once it has ended. */
  readonly exit: Exit | undefined;
  readonly ended: Promise<Exit>;
}

/** How often an adopted process is looked for in /proc. */
const POLL_MS = 200;

export function exitText(exit: Exit): string {
  return 'status' in exit ? `exited with status ${exit.status}` : 'signal' in exit ? `was killed by ${exit.signal}` : 'ended while no supervisor watched it';
}

/** The handle of a child just spawned (its pid known); `onExit` runs first when it ends. */
export function childHandle(child: ChildProcess & { pid: number }): ProcessHandle {
  const handle: { pid: number; start: number; exit: Exit | undefined; ended: Promise<Exit> } = {
    pid: child.pid, start: processStat(child.pid)?.start ?? 0, exit: undefined, ended: undefined as unknown as Promise<Exit>,
  };
  handle.ended = new Promise((resolve) => {
    child.once('exit', (code, sig) => resolve(handle.exit = sig ? { signal: sig } : { status: code ?? 1 }));
    child.once('error', () => resolve(handle.exit = { status: 127 }));
  });
  return handle;
}

/**
 * The handle of a process this supervisor did not start; undefined unless `pid` still runs with start time
 * `start`. A zombie counts as ended (`processAlive`): an adopted process is not our child, and whoever
 * reaps it (init, or a container's first process that never does) may be late.
 */
export function adoptedHandle(pid: number, start: number): ProcessHandle | undefined {
  if (!processAlive(pid, start)) return undefined;
  const handle: { pid: number; start: number; exit: Exit | undefined; ended: Promise<Exit> } = { pid, start, exit: undefined, ended: undefined as unknown as Promise<Exit> };
  handle.ended = new Promise((resolve) => {
    const timer = setInterval(() => {
      if (processAlive(pid, start)) return;
      clearInterval(timer);
      resolve(handle.exit = { unknown: true });
    }, POLL_MS);
  });
  return handle;
}

/** Whether it runs still. */
export function running(h: ProcessHandle): boolean {
  return h.exit === undefined;
}
