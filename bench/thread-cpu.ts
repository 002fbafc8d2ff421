/**
 * CPU time by thread and by process tree, from /proc (Linux): what a bench
 * needs to budget a run across the threads that did its work (the main
 * thread, the threads a run started, a server it talks to), where a wall
 * time on a shared machine measures the wait for a core as much as the work.
 * Resolution: the kernel's clock tick (10 ms).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Milliseconds of CPU (user + system) of a /proc `stat` line. */
function statMs(path: string): number {
  try {
    // The command name is in parentheses and may hold spaces: the fields after it are what count.
    const f = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * (1000 / TICKS);
  } catch {
    return 0; // it ended in between
  }
}

/** Clock ticks per second (USER_HZ: 100 on every Linux this runs on). */
const TICKS = 100;

/** CPU milliseconds of each thread of this process now, by thread id. */
export function threadCpu(): Map<number, number> {
  const m = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) m.set(Number(t), statMs(`/proc/self/task/${t}/stat`));
  return m;
}

/** CPU since `before` (a `threadCpu()`): the main thread's, and that of threads started since. */
export function threadCpuSince(before: Map<number, number>): { main: number; started: number; others: number } {
  let started = 0;
  let others = 0;
  let main = 0;
  for (const [t, ms] of threadCpu()) {
    if (t === process.pid) main = ms - (before.get(t) ?? 0);
    else if (before.has(t)) others += ms - before.get(t)!;
    else started += ms;
  }
  return { main, started, others };
}

/** CPU milliseconds of process `pid` and its children (one level: an nginx master and its workers). */
export function treeCpu(pid: number): number {
  let ms = statMs(`/proc/${pid}/stat`);
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    // no such process any more
  }
  for (const c of children) ms += statMs(`/proc/${c}/stat`);
  return ms;
}
