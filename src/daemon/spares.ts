/**
 * Spare CLI processes (docs/engine.md, "Spare CLI processes"): Node
 * processes that have already loaded the CLI's modules and wait for one
 * command line each. A spare runs one command and exits, so nothing of one
 * command is left for the next; the pool starts a new spare as soon as one
 * is taken.
 *
 * A spare's standard streams are pipes to the daemon: fd 0 brings its one
 * request (a line), fds 1 and 2 carry the command's output, fd 3 says
 * "ready" once the modules are loaded (and later "stdin" if the command
 * needs the client's standard input relayed: run.ts). Each spare leads its own
 * process group, so a signal for the command (the client's Ctrl-C) reaches
 * it and the processes it started, as a terminal's would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A spare process, loaded and waiting for its command. */
export interface Spare {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The code generation (code-watch.ts) the spare was started in. */
  readonly generation: number;
}

export interface SparePool {
  /** A loaded spare, now the caller's (a new one is started in its place); undefined when one failed to start. */
  take(): Promise<Spare | undefined>;
  /** Stop the waiting spares and start new ones once the code is quiet (after a change of the code: a build writes many files). */
  renew(): void;
  /** Stop the waiting spares; taken ones are the caller's. */
  close(): void;
}

export interface SparePoolOptions {
  /** The spare's program (cli/spare-main.js). */
  readonly entry: string;
  /** How many spares wait at once (at least 1). */
  readonly count: number;
  /** The current code generation. */
  readonly generation: () => number;
}

interface Waiting {
  readonly child: ChildProcess;
  readonly generation: number;
  /** Resolves true once the spare said it is loaded, false if it exited first. */
  readonly ready: Promise<boolean>;
}

/** Stop a spare that is not running a command (its whole group: it may have started nothing yet, but be sure). */
function stop(child: ChildProcess): void {
  try {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

export function sparePool(options: SparePoolOptions): SparePool {
  const waiting: Waiting[] = [];
  let closed = false;
  let refill: NodeJS.Timeout | undefined;

  const start = (): Waiting => {
    const generation = options.generation();
    const child = spawn(process.execPath, [options.entry], { detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const ready = new Promise<boolean>((resolveReady) => {
      let said = '';
      (child.stdio[3] as Readable).on('data', (c: Buffer) => {
        said += c.toString();
        if (said.includes('ready\n')) resolveReady(true);
      });
      child.once('exit', () => resolveReady(false));
      child.once('error', () => resolveReady(false));
    });
    // A spare that dies while waiting leaves the pool; the next request starts another.
    child.once('exit', () => {
      const at = waiting.findIndex((w) => w.child === child);
      if (at !== -1) waiting.splice(at, 1);
    });
    // Until taken, its output (there should be none) goes nowhere; a waiting spare must not keep the daemon alive.
    child.stdout!.resume();
    child.stderr!.resume();
    child.unref();
    const w = { child, generation, ready };
    waiting.push(w);
    return w;
  };
  const fill = () => {
    while (!closed && waiting.length < Math.max(1, options.count)) start();
  };

  fill();
  return {
    async take() {
      if (closed) return undefined;
      const w = waiting.shift() ?? start();
      fill();
      const ok = await w.ready;
      if (!ok || w.child.pid === undefined) return undefined;
      w.child.ref();
      w.child.stdout!.pause();
      w.child.stderr!.pause();
      return { pid: w.child.pid, child: w.child, generation: w.generation };
    },
    renew() {
      for (const w of waiting.splice(0)) stop(w.child);
      // Not at once: a build changes hundreds of files, and a spare started amid them is stale before it is ready.
      // A request meanwhile starts its own spare (take); this only delays the spares that wait for the next ones.
      clearTimeout(refill);
      refill = setTimeout(fill, 500).unref();
    },
    close() {
      closed = true;
      clearTimeout(refill);
      for (const w of waiting.splice(0)) stop(w.child);
    },
  };
}
