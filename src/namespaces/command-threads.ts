/**
 * Command threads: where commands are started once a realize runs many.
 * Starting a process forks this one (libuv has no vfork): the thread that
 * spawns is blocked while the kernel copies the page tables of the whole
 * process and until the child has exec'd, which on a loaded machine is
 * milliseconds per command. On the main thread that serialized every node of
 * a realize behind each spawn (docs/engine.md, "Where a cold node's time
 * goes"); on a thread of its own, the engine goes on checking, hashing and
 * recording other nodes meanwhile. The first command of a process runs on
 * the main thread while the threads start (about 30 ms), so a realize of a
 * few commands never waits for them, and one of one command starts none.
 */
import { Worker } from 'node:worker_threads';
import { startCommand, type CommandEvents, type CommandSpec, type StartedCommand } from './command-process.js';

/** Messages to a command thread. */
export type ToThread = { readonly kind: 'start'; readonly id: number; readonly spec: CommandSpec } | { readonly kind: 'cancel'; readonly id: number };

/** Messages from a command thread. */
export type FromThread =
  | { readonly kind: 'ready' }
  | { readonly kind: 'lines'; readonly id: number; readonly lines: string[] }
  | { readonly kind: 'status'; readonly id: number; readonly text: string }
  | { readonly kind: 'error'; readonly id: number; readonly error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } }
  | { readonly kind: 'close'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Threads started at most: two spawns at once keep two cores busy; more would only contend for the process's memory map. */
const THREADS = 2;

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  /** The commands it runs, by id. */
  readonly running: Map<number, CommandEvents>;
}

const threads: Thread[] = [];
let nextId = 0;
/** Commands started by this process: the threads start with the second (a realize of one command needs none). */
let commands = 0;
/** `NOMIA_COMMAND_THREADS=0` starts every command on the main thread (for comparing the two). */
const disabled = process.env['NOMIA_COMMAND_THREADS'] === '0';

function startThread(): void {
  const worker = new Worker(new URL('./command-worker.js', import.meta.url));
  const thread: Thread = { worker, ready: false, running: new Map() };
  worker.on('message', (m: FromThread) => {
    if (m.kind === 'ready') {
      thread.ready = true;
      return;
    }
    const on = thread.running.get(m.id);
    if (!on) return;
    if (m.kind === 'lines') on.lines(m.lines);
    else if (m.kind === 'status') on.status(m.text);
    else {
      thread.running.delete(m.id);
      if (thread.running.size === 0) worker.unref();
      if (m.kind === 'error') on.error(Object.assign(new Error(m.error.message), m.error));
      else on.close(m.code, m.signal);
    }
  });
  // A thread that dies fails what it ran (its watchdog, losing its pipe, kills their groups) and is replaced.
  const fail = (e: Error) => {
    threads.splice(threads.indexOf(thread), 1);
    for (const on of thread.running.values()) on.error(Object.assign(new Error(`the command thread stopped: ${e.message}`), { code: 'ECHILD' }));
    thread.running.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => { if (threads.includes(thread)) fail(new Error(`exit code ${code}`)); });
  // An idle thread must not keep the process alive; one running a command must, as the child would. (After
  // the listeners: attaching one refs the thread's port again.)
  worker.unref();
  threads.push(thread);
}

/**
 * Start `spec` on the least busy ready command thread, or on this thread if
 * none is ready yet (starting the threads then, for the next commands).
 */
export function startOnThread(spec: CommandSpec, on: CommandEvents): StartedCommand {
  if (disabled || commands++ === 0) return startCommand(spec, on);
  while (threads.length < THREADS) startThread();
  const ready = threads.filter((t) => t.ready).sort((a, b) => a.running.size - b.running.size)[0];
  if (!ready) return startCommand(spec, on);
  const id = nextId++;
  ready.running.set(id, on);
  ready.worker.ref();
  ready.worker.postMessage({ kind: 'start', id, spec } satisfies ToThread);
  return { cancel: () => ready.worker.postMessage({ kind: 'cancel', id } satisfies ToThread) };
}

/** How many command threads are ready to start commands (for tests and benchmarks). */
export function readyCommandThreads(): number {
  return threads.filter((t) => t.ready).length;
}
