/**
 * The realize side of the live view (live-protocol.ts): `nomia realize` sends its events to every
 * `nomia ui` watching the store. It must never slow or fail the realize:
 * - with no `nomia ui` running it costs one `readdir` of a missing or empty folder;
 * - writes never wait: a socket that refuses (a `nomia ui` killed without cleaning up) or breaks is
 *   dropped, and so is one whose reader fell `MAX_BUFFERED` bytes behind;
 * - at the end the realize waits at most `CLOSE_WAIT_MS` for its last lines to go out.
 */
import { readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { EventListener } from '../../engine/events.js';
import { NomiaError } from '../../errors.js';
import { LIVE_VERSION, liveDir, MAX_SOCKET_PATH, type LiveLine } from './live-protocol.js';

const MAX_BUFFERED = 16 << 20;
const CLOSE_WAIT_MS = 1000;

export interface Publisher {
  /** `listener`, also sending each event to the watching `nomia ui` servers. */
  tee(listener: EventListener): EventListener;
  /** Say how the realize failed (sent before the connections close). */
  failed(e: unknown): void;
  /** Close the connections, waiting at most a second for what is buffered. */
  close(): Promise<void>;
}

const nothing: Publisher = { tee: (l) => l, failed: () => undefined, close: async () => undefined };

/** The sockets of the `nomia ui` servers watching the store at `home`. */
function sockets(home: string): string[] {
  try {
    return readdirSync(liveDir(home)).filter((f) => f.endsWith('.sock')).map((f) => join(liveDir(home), f)).filter((p) => p.length <= MAX_SOCKET_PATH);
  } catch {
    return [];
  }
}

/** Publish a realize of `name` on the store at `home` to the `nomia ui` servers watching it, if any. */
export async function publishRun(home: string, name: string): Promise<Publisher> {
  const paths = sockets(home);
  if (!paths.length) return nothing;
  const { createConnection } = await import('node:net');
  const open = new Set<Socket>();
  for (const path of paths) {
    const s = createConnection(path);
    open.add(s);
    s.on('error', () => open.delete(s));
    s.on('close', () => open.delete(s));
    // The server never answers; reading nothing keeps the socket from holding the process open on data.
    s.resume();
  }
  const send = (line: LiveLine) => {
    const text = `${JSON.stringify(line)}\n`;
    for (const s of open) {
      if (s.writableLength > MAX_BUFFERED) s.destroy();
      else s.write(text);
    }
  };
  send({ kind: 'hello', version: LIVE_VERSION, pid: process.pid, name });
  return {
    tee: (listener) => (e) => {
      listener(e);
      send(e);
    },
    failed: (e) => send({ kind: 'error', error: e instanceof Error ? e.message : String(e), ...(e instanceof NomiaError ? { code: e.code } : {}) }),
    close: async () => {
      await Promise.all([...open].map((s) => new Promise<void>((done) => {
        const timer = setTimeout(() => s.destroy(), CLOSE_WAIT_MS);
        s.once('close', () => {
          clearTimeout(timer);
          done();
        });
        s.end();
      })));
    },
  };
}
