/**
 * Process identity for conditional roots. A pid alone is not an identity:
 * pids are reused, so a root records the process's start time too
 * (field 22 of /proc/<pid>/stat, in clock ticks since boot) and is live only
 * while a process with that pid *and* that start time exists.
 */
import { readFileSync } from 'node:fs';
import { NomiaStoreError } from '../errors.js';

/** The state letter (`R`, `S`, `Z`…) and start time of `pid` from /proc/<pid>/stat, or undefined if no such process is there. */
export function processStat(pid: number): { readonly state: string; readonly start: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces and ')'; fields after it are plain.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(rest[19]);
  return Number.isFinite(start) ? { state: rest[0] ?? '', start } : undefined;
}

/** The start time of `pid`, or undefined if no such process runs. */
export function processStart(pid: number): number | undefined {
  return processStat(pid)?.start;
}

/**
 * Whether the process `pid` that started at `start` still runs. A zombie
 * (`Z`) or dying (`X`) process has ended: it only waits for its parent to
 * read its status, and a parent that never does would otherwise hold every
 * root and lock of the dead process forever.
 */
export function processAlive(pid: number, start: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && stat.start === start && stat.state !== 'Z' && stat.state !== 'X';
}

let me: { pid: number; pidStart: number } | undefined;

/** This process's identity, for temporary roots. Read once: every add and import asks, and /proc costs a read each time. */
export function self(): { pid: number; pidStart: number } {
  if (me?.pid === process.pid) return me;
  const pidStart = processStart(process.pid);
  if (pidStart === undefined) {
    throw new NomiaStoreError('store/io', 'cannot read /proc/self/stat: the store needs Linux /proc to tell running processes apart', {
      hint: 'mount /proc (in a container: run it with /proc available)',
    });
  }
  me = { pid: process.pid, pidStart };
  return me;
}
