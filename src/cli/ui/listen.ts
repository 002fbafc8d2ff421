/**
 * The `nomia ui` side of the live view (live-protocol.ts): a Unix socket in the store's `ui/` folder
 * on which realizes in other processes publish their events. Each connection is one run. A realize
 * that dies mid-run only closes its connection: the run ends as failed, nothing waits on it. A
 * malformed line or an overlong one drops that connection, never the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { EngineEvent } from '../../engine/events.js';
import { liveDir, MAX_LINE, MAX_SOCKET_PATH, type LiveLine } from './live-protocol.js';
import type { Runs } from './runs.js';

export interface LiveSocket {
  /** Where it listens. */
  readonly path: string;
  close(): Promise<void>;
}

/** Remove the sockets of `nomia ui` servers that are gone (killed before they could): nothing accepts on them. */
function sweep(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.sock'));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const probe = connect(path);
    probe.once('connect', () => probe.destroy());
    probe.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') {
        try {
          unlinkSync(path);
        } catch {
          // Another `nomia ui` swept it first.
        }
      }
    });
  }
}

/** One realize publishing: its lines become the messages of one run. */
function attach(runs: Runs, socket: Socket): void {
  let buffered = '';
  let run: number | undefined;
  let done: Extract<EngineEvent, { kind: 'done' }> | undefined;
  let error: string | undefined;
  const line = (text: string) => {
    const m = JSON.parse(text) as LiveLine;
    if (typeof m !== 'object' || m === null || typeof m.kind !== 'string') throw new Error('not a message');
    if (m.kind === 'hello') {
      if (run === undefined) run = runs.open(String(m.name), `pid ${Number(m.pid)}`);
    } else if (run === undefined) {
      throw new Error('no hello');
    } else if (m.kind === 'error') {
      error = String(m.error);
    } else {
      if (m.kind === 'done') done = m;
      runs.event(run, m);
    }
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    try {
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (text) line(text);
      }
      if (buffered.length > MAX_LINE) throw new Error('line too long');
    } catch {
      socket.destroy();
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (run === undefined) return;
    if (done && error === undefined) runs.end(run, { ok: true, results: done.roots });
    else runs.end(run, { ok: false, error: error ?? 'the realize stopped before it ended (its process was killed, or it lost the connection)' });
  });
}

/**
 * Listen for realizes of the store at `home`; undefined (with why) when this process cannot: the
 * store's `ui/` folder is not writable, or its path is too long for a Unix socket.
 */
export async function listenLive(home: string, runs: Runs): Promise<LiveSocket | { readonly unavailable: string }> {
  const dir = liveDir(home);
  const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  if (path.length > MAX_SOCKET_PATH) return { unavailable: `the socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes` };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return { unavailable: `cannot create ${dir}: ${(e as Error).message}` };
  }
  sweep(dir);
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    attach(runs, socket);
  });
  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(path, () => listening());
    });
  } catch (e) {
    return { unavailable: `cannot listen on ${path}: ${(e as Error).message}` };
  }
  return {
    path,
    close: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      // The realizes still publishing carry on without this view.
      for (const s of open) s.destroy();
      await closed;
      try {
        unlinkSync(path);
      } catch {
        // Closing removed it.
      }
    },
  };
}
