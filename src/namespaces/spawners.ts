/**
 * Spawners: where commands are started once a process runs many. Starting
 * a process forks the one that starts it (libuv has no vfork), at a cost
 * that grows with that process's memory: the kernel copies its page tables,
 * the child unmaps them again at exec, and every page the parent writes
 * afterwards takes a copy-on-write fault. nomia realizing 10 000 nodes holds
 * 300 MB; a spawner, a Node process that loads three small modules, holds about 42 MB.
 * And the thread that spawns waits until the child has exec'd, which on the
 * main thread serialized every node of a realize behind each spawn
 * (docs/engine.md, "Where a cold node's time goes"). The first commands of
 * a process run on the main thread: starting the spawners costs two forks of
 * this process and two Node starts (about 100 ms of CPU), more than they save
 * a run of a few commands (a one-`.c` change in a small project: a compile,
 * an archive and a link, docs/namespaces/ninja.md). They start with command
 * `DIRECT_COMMANDS + 1`, and until they are ready commands still run here.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCommand, type CommandEvents, type CommandSpec, type StartedCommand } from './command-process.js';

/** Messages to a spawner. */
export type ToSpawner = { readonly kind: 'start'; readonly id: number; readonly spec: CommandSpec } | { readonly kind: 'cancel'; readonly id: number };

/** Messages from a spawner. */
export type FromSpawner =
  | { readonly kind: 'ready' }
  | { readonly kind: 'lines'; readonly id: number; readonly lines: string[] }
  | { readonly kind: 'status'; readonly id: number; readonly text: string }
  | { readonly kind: 'error'; readonly id: number; readonly error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } }
  | { readonly kind: 'close'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Spawners started at most: two spawning at once keep two cores busy. */
const SPAWNERS = 2;

interface Spawner {
  readonly child: ChildProcess;
  ready: boolean;
  /** The commands it runs, by id. */
  readonly running: Map<number, CommandEvents>;
}

const spawners: Spawner[] = [];
let nextId = 0;
/** Commands a process starts itself before it starts the spawners (a run of that many needs none). */
export const DIRECT_COMMANDS = 4;

/** Commands started by this process. */
let commands = 0;
/**
 * `NOMIA_SPAWNERS=0` starts every command from this process (for comparing the two). Read when asked, not
 * when the module loads: a spare CLI process (cli/spare-main.ts) loads it before it takes the caller's environment.
 */
const disabled = () => process.env['NOMIA_SPAWNERS'] === '0';

/** An idle spawner must not keep nomia alive; one running a command must, as the command would. */
function hold(s: Spawner, on: boolean): void {
  const channel = s.child.channel as { ref?(): void; unref?(): void } | undefined;
  if (on) {
    s.child.ref();
    channel?.ref?.();
  } else {
    s.child.unref();
    channel?.unref?.();
  }
}

function startSpawner(): void {
  const child = fork(fileURLToPath(new URL('./spawner.js', import.meta.url)), [], {
    // Nothing of nomia's own flags (a --cpu-prof, an inspector), nor its environment: commands get theirs from the spec.
    execArgv: [], env: {}, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced',
  });
  const s: Spawner = { child, ready: false, running: new Map() };
  child.on('message', (m: FromSpawner) => {
    if (m.kind === 'ready') {
      s.ready = true;
      return;
    }
    const on = s.running.get(m.id);
    if (!on) return;
    if (m.kind === 'lines') on.lines(m.lines);
    else if (m.kind === 'status') on.status(m.text);
    else {
      s.running.delete(m.id);
      if (s.running.size === 0) hold(s, false);
      if (m.kind === 'error') on.error(Object.assign(new Error(m.error.message), m.error));
      else on.close(m.code, m.signal);
    }
  });
  // A spawner that dies fails what it ran (its watchdog, losing its pipe, kills their groups) and is replaced.
  const fail = (why: string) => {
    const at = spawners.indexOf(s);
    if (at < 0) return;
    spawners.splice(at, 1);
    for (const on of s.running.values()) on.error(Object.assign(new Error(`the process starting commands stopped: ${why}`), { code: 'ECHILD' }));
    s.running.clear();
  };
  child.on('error', (e) => fail(e.message));
  child.on('exit', (code, sig) => fail(sig ? `killed by ${sig}` : `exit status ${code}`));
  hold(s, false);
  spawners.push(s);
}

/**
 * Start `spec` on the least busy ready spawner, or from this process if
 * none is ready yet (starting the spawners then, for the next commands).
 */
export function startSpawned(spec: CommandSpec, on: CommandEvents): StartedCommand {
  if (disabled() || commands++ < DIRECT_COMMANDS) return startCommand(spec, on);
  while (spawners.length < SPAWNERS) startSpawner();
  const ready = spawners.filter((s) => s.ready).sort((a, b) => a.running.size - b.running.size)[0];
  if (!ready) return startCommand(spec, on);
  const id = nextId++;
  ready.running.set(id, on);
  hold(ready, true);
  ready.child.send({ kind: 'start', id, spec } satisfies ToSpawner);
  return { cancel: () => ready.child.send({ kind: 'cancel', id } satisfies ToSpawner) };
}

/** How many spawners this process has started, ready or not (for tests and benchmarks). */
export function startedSpawners(): number {
  return spawners.length;
}

/** How many spawners are ready to start commands (for tests and benchmarks). */
export function readySpawners(): number {
  return spawners.filter((s) => s.ready).length;
}
