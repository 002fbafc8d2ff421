/**
 * The supervisor process of a store's services: `node supervisor-main.js
 * HOME`, started detached by the first client that finds none (client.ts),
 * so services outlive the CLI that started them. It serves the socket
 * under `HOME/services/`, lets go of services whose realizing process has
 * exited, and exits once no service has run for a while. SIGTERM stops
 * every service, dependents first, and exits. SIGKILL leaves them running:
 * the next supervisor adopts them (saved-state.ts).
 */
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { openStore } from '../../namespace/index.js';
import { pidPath, type Request, type Response, servicesDir, socketPath } from './protocol.js';
import { Supervisor } from './supervisor.js';

/** How long it stays without services (and without clients) before it exits. */
const IDLE_MS = 2000;
const TICK_MS = 300;

const home = process.argv[2];
if (!home) {
  process.stderr.write('usage: supervisor-main.js HOME\n');
  process.exit(2);
}
const store = openStore({ dir: home });
const supervisor = new Supervisor(store, servicesDir(home));
// Before the socket answers: the first question already sees what a killed supervisor left running.
supervisor.adopt();
const sockets = new Set<Socket>();
let idleSince = Date.now();

async function answer(req: Request): Promise<Response> {
  try {
    switch (req.op) {
      case 'start': return { ok: true, service: await supervisor.start(req.spec, req.holder) };
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
    void answer(JSON.parse(text.slice(0, nl)) as Request).then((res) => socket.end(`${JSON.stringify(res)}\n`));
  });
});

// A socket left by a supervisor that died is stale: the client only starts us after failing to connect.
rmSync(socketPath(home), { force: true });
server.listen(socketPath(home), () => writeFileSync(pidPath(home), `${process.pid}\n`));

function exit(): never {
  server.close();
  try {
    unlinkSync(pidPath(home!));
  } catch {
    // Gone already.
  }
  store.close();
  process.exit(0);
}

const tick = setInterval(() => {
  void supervisor.prune().then(() => {
    if (supervisor.size > 0 || sockets.size > 0) idleSince = Date.now();
    else if (Date.now() - idleSince > IDLE_MS) exit();
  });
}, TICK_MS);

process.on('SIGTERM', () => {
  clearInterval(tick);
  void supervisor.down(undefined, true).finally(exit);
});
