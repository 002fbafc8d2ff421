/**
 * Talking to a store's supervisor: one request per connection. `ask`
 * starts the supervisor when none answers; `askIfRunning` (status, logs,
 * down) starts one only when a supervisor that died left services for it
 * to adopt; `startSupervisor` starts one without waiting for it, so that
 * `nomia up` has it started while the CLI itself loads and realizes.
 *
 * Light on purpose: `nomia status`, `logs`, `down` and the answer of `up`
 * are one question each, so this module loads only Node's own modules until
 * it has an error to throw; the namespace contract (and with it the store
 * and SQLite) is imported then. That was two thirds of `nomia status`'s CPU
 * time (docs/namespaces/service.md). Starting a supervisor takes no lock
 * here: the supervisor claims the socket itself (supervisor-main.ts), and
 * tells us it listens by closing a pipe.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ErrorCode, NomiaError } from '../../namespace/index.js';
import { closeInheritedDescriptors } from '../inherited-fds.js';
import { type Request, type Response, servicesDir, socketPath } from './protocol.js';
import { hasSavedState } from './saved-state.js';
import { trace } from './trace.js';

const MAIN = fileURLToPath(new URL('./supervisor-main.js', import.meta.url));
/** How long a new supervisor may take to listen. */
const START_MS = 10_000;

/** The namespace contract, loaded on first need (see above). */
const contract = () => import('../../namespace/index.js');

async function supervisorError(home: string, what: string, hint: string): Promise<NomiaError> {
  return new (await contract()).NomiaError('service/supervisor', `the service supervisor of ${home} ${what}`, { hint });
}

/** Send `req`; undefined when no supervisor listens. */
function send(home: string, req: Request): Promise<Response | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath(home));
    let text = '';
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(req)}\n`);
    });
    let answered = false;
    socket.on('data', (c) => {
      text += c.toString('utf8');
      // The answer is one line: taken as soon as it is whole, not when the connection has closed.
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      answered = true;
      socket.destroy();
      resolve(JSON.parse(text.slice(0, nl)) as Response);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (!connected && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')) resolve(undefined);
      else if (!answered) void supervisorError(home, `broke off: ${e.message}`, 'run the command again').then(reject, reject);
    });
    socket.once('close', () => {
      if (!connected || answered) return;
      if (!text.trim()) void supervisorError(home, 'ended without an answer', `its log: ${join(servicesDir(home), 'supervisor.log')}`).then(reject, reject);
      else resolve(JSON.parse(text) as Response);
    });
  });
}

async function unwrap(res: Response): Promise<Extract<Response, { ok: true }>> {
  if (res.ok) return res;
  throw new (await contract()).NomiaError(res.code as ErrorCode, res.message, res.hint === undefined ? {} : { hint: res.hint });
}

/** Ask the supervisor if one runs (or has services to adopt); undefined if none does. */
export async function askIfRunning(home: string, req: Request): Promise<Extract<Response, { ok: true }> | undefined> {
  const res = await send(home, req);
  if (res !== undefined) return unwrap(res);
  return hasSavedState(servicesDir(home)) ? ask(home, req) : undefined;
}

/** Ask the supervisor, starting it first if none runs. */
export async function ask(home: string, req: Request): Promise<Extract<Response, { ok: true }>> {
  trace('client: ask');
  const first = await send(home, req);
  if (first) return unwrap(first);
  // Twice: a supervisor that exits idle (or another client's, which ours found serving) just as we connect.
  for (let attempt = 0; attempt < 2; attempt++) {
    const started = await Promise.race([launch(home, true).then(() => true), sleep(START_MS, false, { ref: false })]);
    if (!started) break;
    const res = await send(home, req);
    if (res) return unwrap(res);
  }
  throw await supervisorError(home, 'did not start', `its log: ${join(servicesDir(home), 'supervisor.log')}`);
}

/** A supervisor being started by this process: settles once it listens (or has exited). */
interface Launch {
  readonly done: Promise<void>;
  /** Keep this process alive until it settles (someone waits for it), or not (a start ahead of need). */
  hold(on: boolean): void;
}

const launching = new Map<string, Launch>();

/**
 * Start the supervisor of `home` if none listens, without waiting for it:
 * its own start-up (a Node process loading the store) then overlaps the
 * caller's. A supervisor started but never asked anything exits when idle.
 */
export function startSupervisor(home: string): void {
  void launch(home, false);
}

/** Start the supervisor of `home` if none listens (once per process at a time); resolves when it listens or has given up. */
function launch(home: string, waiting: boolean): Promise<void> {
  let l = launching.get(home);
  if (!l) {
    l = spawnSupervisor(home);
    launching.set(home, l);
    const forget = () => { launching.delete(home); };
    l.done.then(forget, forget);
  }
  l.hold(waiting);
  return l.done;
}

function spawnSupervisor(home: string): Launch {
  let pipe: Socket | undefined;
  let held = false;
  const done = (async () => {
    if (await answers(home)) return;
    const dir = servicesDir(home);
    mkdirSync(dir, { recursive: true });
    // The supervisor outlives us: a pipe we inherited (a caller waiting for our output to end) must not go with it.
    closeInheritedDescriptors();
    const log = openSync(join(dir, 'supervisor.log'), 'a');
    trace('client: starting the supervisor');
    // fd 3: a pipe it closes once it listens, so we wait for an event, not poll a socket that is not there yet.
    const child = spawn(process.execPath, [MAIN, home, '3'], { detached: true, stdio: ['ignore', log, log, 'pipe'], env: { ...process.env } });
    closeSync(log);
    child.unref();
    pipe = child.stdio[3] as Socket;
    if (!held) pipe.unref();
    await new Promise<void>((resolve) => {
      pipe!.once('close', resolve);
      pipe!.once('error', () => resolve());
      pipe!.resume();
    });
  })();
  return {
    done,
    hold(on) {
      held = held || on;
      if (held) pipe?.ref();
    },
  };
}

/** Whether a supervisor answers on `home`'s socket. */
function answers(home: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath(home));
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
