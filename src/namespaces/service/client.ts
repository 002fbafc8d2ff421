/**
 * Talking to a store's supervisor: one request per connection. `ask`
 * starts the supervisor when none answers (under a lock, so two clients
 * start one); `askIfRunning` (status, logs, down) starts one only when a
 * supervisor that died left services for it to adopt.
 *
 * Light on purpose: `nomia status`, `logs`, `down` and the answer of `up`
 * are one question each, so this module loads only Node's own modules until
 * it has an error to throw or a supervisor to start; the namespace contract
 * (and with it the store and SQLite) is imported then. That was two thirds
 * of `nomia status`'s CPU time (docs/namespaces/service.md).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ErrorCode, NomiaError } from '../../namespace/index.js';
import { closeInheritedDescriptors } from '../inherited-fds.js';
import { type Request, type Response, servicesDir, socketPath } from './protocol.js';
import { hasSavedState } from './saved-state.js';

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
    socket.on('data', (c) => { text += c.toString('utf8'); });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (!connected && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')) resolve(undefined);
      else void supervisorError(home, `broke off: ${e.message}`, 'run the command again').then(reject, reject);
    });
    socket.once('close', () => {
      if (!connected) return;
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
  const first = await send(home, req);
  if (first) return unwrap(first);
  const dir = servicesDir(home);
  mkdirSync(dir, { recursive: true });
  const lock = await (await contract()).lockFile(join(dir, 'start.lock'));
  try {
    const again = await send(home, req);
    if (again) return unwrap(again);
    // The supervisor outlives us: a pipe we inherited (a caller waiting for our output to end) must not go with it.
    closeInheritedDescriptors();
    const log = openSync(join(dir, 'supervisor.log'), 'a');
    const child = spawn(process.execPath, [MAIN, home], { detached: true, stdio: ['ignore', log, log], env: { ...process.env } });
    closeSync(log);
    child.unref();
    const deadline = Date.now() + START_MS;
    // A connect to a socket not there yet fails in microseconds: poll finely, or a cold `up` waits up to a whole step late.
    for (let wait = 5; Date.now() < deadline; wait = Math.min(wait * 2, 10)) {
      await sleep(wait);
      const res = await send(home, req);
      if (res) return unwrap(res);
    }
    throw await supervisorError(home, 'did not start', `its log: ${join(dir, 'supervisor.log')}`);
  } finally {
    lock.release();
  }
}
