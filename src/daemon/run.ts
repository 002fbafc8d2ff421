/**
 * The daemon's `run` op (docs/spec/protocol.md, "run"): hand a command line
 * to a spare CLI process (spares.ts) and relay what it writes, as frames
 * (frames.ts), to the client, then its exit status. Anything that would
 * make the spare behave otherwise than the caller's own `bin/nomia.js` is
 * answered with a fall-back frame instead: the client then runs the Node
 * CLI itself, so a spare changes only how fast a command starts.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { frame, MAX_FRAME } from './frames.js';
import { parseRunRequest, type RunRequest } from './run-request.js';
import type { Spare, SparePool } from './spares.js';

export interface RunService {
  readonly pool: SparePool;
  /** The package root of this daemon's code (realpath). */
  readonly packageRoot: string;
  /** The store the daemon serves. */
  readonly storeHome: string;
  /** The current code generation (code-watch.ts). */
  readonly generation: () => number;
  /** The command word of a command line a spare must not run (the client runs it itself), or undefined. */
  readonly runsItself: (argv: readonly string[]) => string | undefined;
  readonly onRun?: (argv: readonly string[], outcome: string) => void;
}

/** The `node` a `#!/usr/bin/env node` finds on `path`, resolved; undefined when none is there. */
function nodeOnPath(path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    const candidate = join(dir || '.', 'node');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * Why the spare's Node would not be the caller's: `bin/nomia.js` runs the `node` on the caller's PATH, with
 * the caller's NODE_… and UV_… variables, which Node reads when it starts (the spare started with the daemon's).
 */
function otherNode(req: RunRequest): string | undefined {
  const startup = (k: string) => k.startsWith('NODE_') || k.startsWith('UV_');
  const keys = new Set([...Object.keys(req.env), ...Object.keys(process.env)].filter(startup));
  for (const k of keys) if (req.env[k] !== process.env[k]) return `${k} differs from the daemon's`;
  if (nodeOnPath(req.env['PATH']) !== realpathSync(process.execPath)) return 'the node on PATH is not the daemon\'s';
  return undefined;
}

/** Why `req` is not run by a spare of this daemon, or undefined. */
function refusal(req: RunRequest, service: RunService): string | undefined {
  let pkg: string;
  try {
    pkg = realpathSync(req.package);
  } catch {
    return 'the client\'s package is not here';
  }
  if (pkg !== service.packageRoot) return `the daemon runs ${service.packageRoot}, not ${pkg}`;
  if (req.store !== service.storeHome) return `the daemon serves the store ${service.storeHome}`;
  const word = service.runsItself(req.argv);
  if (word !== undefined) return `\`${word}\` runs in its own process`;
  try {
    if (!statSync(req.cwd).isDirectory()) return 'the working directory is not a directory';
  } catch {
    return 'the working directory is gone';
  }
  return otherNode(req);
}

/** Send `signal` to the process group of the spare `pid` (the command and what it started), if it is still there. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Relay `stream` to the client as frames of `type`, holding it while the client reads slower than it writes. */
function relay(stream: Readable, type: '1' | '2', socket: Socket): void {
  stream.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; at += MAX_FRAME) {
      if (!socket.write(frame(type, chunk.subarray(at, at + MAX_FRAME)))) {
        stream.pause();
        socket.once('drain', () => stream.resume());
      }
    }
  });
}

/** Answer the `run` request `body` on `socket` (which carries nothing else afterwards). */
export async function serveRun(socket: Socket, body: Record<string, unknown>, service: RunService): Promise<void> {
  const fallBack = (why: string, argv: readonly string[] = []) => {
    service.onRun?.(argv, `fall back: ${why}`);
    socket.end(frame('F', why));
  };
  const req = parseRunRequest(body);
  if (typeof req === 'string') return fallBack(req);
  const refused = refusal(req, service);
  if (refused !== undefined) return fallBack(refused, req.argv);
  // A build that finished just before this request may have its inotify events in this same turn of the
  // event loop, after the request: let them in before the generation is compared.
  await new Promise((r) => setImmediate(r));
  const spare = await service.pool.take();
  if (spare === undefined) return fallBack('no spare process could start', req.argv);
  if (spare.generation !== service.generation()) {
    signalGroup(spare.pid, 'SIGTERM');
    service.pool.renew();
    return fallBack('the code changed since the spare started', req.argv);
  }
  if (socket.destroyed) return signalGroup(spare.pid, 'SIGTERM');
  socket.write(frame('P', String(spare.pid)));
  service.onRun?.(req.argv, `started in spare ${spare.pid}`);
  const { child } = spare;
  relay(child.stdout!, '1', socket);
  relay(child.stderr!, '2', socket);
  let finished = false;
  // A client gone before the command ended is a hang-up, as for a command whose terminal closed.
  socket.on('close', () => {
    if (!finished) signalGroup(spare.pid, 'SIGHUP');
  });
  relayStdin(req, spare, socket);
  // 'close': the command exited and every holder of its stdout and stderr closed them (as a pipe's reader sees the end).
  // The control pipe may be held by what the command started (it is not close-on-exec); the command is over when it exits.
  child.once('exit', () => (child.stdio[3] as Readable).destroy());
  child.once('close', (code, signal) => {
    finished = true;
    const status = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
    service.onRun?.(req.argv, `exit ${status}`);
    socket.end(frame('X', String(status)));
  });
}

/**
 * Standard input for the spare: it opens the client's as `/proc/<pid>/fd/0` itself, which works for a
 * terminal, a pipe or a file but not a socket (what Node gives the children it spawns). For a socket the
 * spare's fd 0 stays open after the request, and when the spare asks (a line `stdin` on its fd 3) the
 * client is asked for its bytes ('I'), relayed into it.
 */
function relayStdin(req: RunRequest, spare: Spare, socket: Socket): void {
  const { child } = spare;
  let socketStdin = false;
  try {
    socketStdin = statSync(`/proc/${req.pid}/fd/0`).isSocket();
  } catch {
    // No standard input at all: the spare's open fails as the command's read would.
  }
  child.stdin!.on('error', () => undefined);
  child.stdin!.write(`${JSON.stringify(req)}\n`);
  if (!socketStdin) {
    child.stdin!.end();
    return;
  }
  let asked = false;
  (child.stdio[3] as Readable).on('data', (c: Buffer) => {
    if (asked || !c.toString().includes('stdin\n')) return;
    asked = true;
    socket.write(frame('I', ''));
    socket.pipe(child.stdin!);
  });
}
