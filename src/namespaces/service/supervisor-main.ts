/**
 * The supervisor process of a store's services: `node supervisor-main.js
 * HOME [READY_FD]`, started detached by the first client that finds none
 * (client.ts), so services outlive the CLI that started them. It serves the
 * socket under `HOME/services/`, lets go of services whose realizing process
 * has exited, and exits once no service has run for a while. SIGTERM stops
 * every service, dependents first, and exits. SIGKILL leaves them running:
 * the next supervisor adopts them (saved-state.ts).
 *
 * One supervisor per store, and it claims the socket before anything else:
 * binding a Unix socket fails while its file exists, so of several started
 * at once (two clients that found none) one binds and the others see a
 * socket that answers and exit, having loaded nothing but Node's own
 * modules. Only a socket file no one answers on (left by a supervisor that
 * was killed) is removed, under a lock, as two new supervisors could both
 * find it stale. Once it listens it closes READY_FD, the pipe its client
 * waits on (the client is told by an event, not by polling), then loads
 * the store and adopts what a killed supervisor left; questions wait for
 * that, so the first already sees every service.
 */
import { closeSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pidPath, type Request, type Response, servicesDir, socketPath } from './protocol.js';
import type { Supervisor } from './supervisor.js';
import { trace, traceOrigin } from './trace.js';

/** How long it stays without services (and without clients) before it exits. */
const IDLE_MS = 2000;
const TICK_MS = 300;

const home = process.argv[2];
if (!home) {
  process.stderr.write('usage: supervisor-main.js HOME [READY_FD]\n');
  process.exit(2);
}
const readyFd = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
traceOrigin('supervisor: started');

/** Tell the client that started us that it can connect (or that another supervisor serves): close the pipe it waits on. */
function signalReady(): void {
  if (readyFd === undefined) return;
  try {
    closeSync(readyFd);
  } catch {
    // The client has gone: no one waits.
  }
}

/** Listen on `path`: false if its file exists (a socket of another supervisor, live or stale). */
function listenOn(server: Server, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      if (e.code === 'EADDRINUSE') resolve(false);
      else reject(e);
    };
    const listening = () => {
      server.off('error', failed);
      resolve(true);
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(path);
  });
}

/** Whether a supervisor answers on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Claim the store's socket: false when another supervisor serves it. */
async function claim(server: Server, path: string): Promise<boolean> {
  if (await listenOn(server, path)) return true;
  if (await answers(path)) return false;
  // A stale socket file: removing it is safe only while no other new supervisor can be deciding the same.
  const lock = await (await import('../../namespace/index.js')).lockFile(join(servicesDir(home!), 'start.lock'));
  try {
    if (await answers(path)) return false;
    rmSync(path, { force: true });
    return await listenOn(server, path);
  } finally {
    lock.release();
  }
}

const sockets = new Set<Socket>();
let idleSince = Date.now();

/** The store and the table of services, loaded once the socket is ours; every question waits for them. */
let loaded: Promise<{ supervisor: Supervisor; close: () => void }> | undefined;

async function load(): Promise<{ supervisor: Supervisor; close: () => void }> {
  const [{ openStore }, { Supervisor }] = await Promise.all([import('../../namespace/index.js'), import('./supervisor.js')]);
  const store = openStore({ dir: home! });
  const supervisor = new Supervisor(store, servicesDir(home!));
  supervisor.adopt();
  trace('supervisor: store loaded');
  return { supervisor, close: () => store.close() };
}

async function answer(req: Request): Promise<Response> {
  try {
    const { supervisor } = await loaded!;
    switch (req.op) {
      case 'start': return { ok: true, service: await supervisor.start(req.spec, req.holder) };
      case 'start-all': {
        supervisor.checkHold(req.specs, req.hold.id, req.hold.root);
        const services = await supervisor.startAll(req.specs, req.holder);
        return { ok: true, services, service: await supervisor.hold(req.hold.id, req.hold.root) };
      }
      case 'hold': return { ok: true, service: await supervisor.hold(req.id, req.root, req.ifReady === true) };
      case 'down': return { ok: true, stopped: await supervisor.down(req.root, req.all === true) };
      case 'status': await supervisor.prune(); return { ok: true, services: supervisor.status() };
    }
  } catch (e) {
    const err = e as { code?: string; message: string; hint?: string };
    return { ok: false, code: err.code ?? 'service/supervisor', message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
}

const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk.toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return;
    const req = JSON.parse(text.slice(0, nl)) as Request;
    trace(`supervisor: ${req.op}${req.op === 'start' ? ` ${req.spec.label}` : req.op === 'start-all' ? ` of ${req.specs.length}` : ''} asked`);
    void answer(req).then((res) => {
      trace(`supervisor: ${req.op} answered`);
      socket.end(`${JSON.stringify(res)}\n`);
    });
  });
});

mkdirSync(servicesDir(home), { recursive: true });
if (!(await claim(server, socketPath(home)))) {
  trace('supervisor: another one serves; exiting');
  // Its log is the store's supervisor.log: a line for whoever wonders why a second one started.
  process.stderr.write(`--- nomia: supervisor ${process.pid} exits: another supervisor serves ${socketPath(home)}\n`);
  signalReady();
  process.exit(0);
}
writeFileSync(pidPath(home), `${process.pid}\n`);
trace('supervisor: listening');
signalReady();
loaded = load();

async function exit(): Promise<never> {
  server.close();
  try {
    unlinkSync(pidPath(home!));
  } catch {
    // Gone already.
  }
  await loaded!.then(({ close }) => close(), () => undefined);
  process.exit(0);
}

/** How many services run; none if the store could not be loaded (each question was answered with that error). */
const running = () => loaded!.then(async ({ supervisor }) => {
  await supervisor.prune();
  return supervisor.size;
}, () => 0);

const tick = setInterval(() => {
  void running().then((size) => {
    if (size > 0 || sockets.size > 0) idleSince = Date.now();
    else if (Date.now() - idleSince > IDLE_MS) void exit();
  });
}, TICK_MS);

process.on('SIGTERM', () => {
  clearInterval(tick);
  void loaded!.then(({ supervisor }) => supervisor.down(undefined, true)).catch(() => undefined).finally(exit);
});
