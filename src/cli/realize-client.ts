/**
 * `nomia realize --daemon SOCKET` (or NOMIA_DAEMON): the realize is sent to
 * a running `nomia daemon` with this process's working directory and
 * environment, and its events and results come back as if realized here
 * (src/daemon/server.ts has the protocol). No daemon at the socket (nothing
 * listening, no socket file) is not an error: the caller realizes in process.
 */
import { connect } from 'node:net';
import { NomiaError, type ErrorCode } from '../errors.js';
import type { EngineEvent, EventListener } from '../engine/events.js';
import type { Resource } from '../resource/types.js';

export interface DaemonAsk {
  readonly socket: string;
  readonly name: string;
  readonly sandbox: string;
  /** The store this process would use: the daemon refuses to answer for another. */
  readonly store: string;
  /** The directory the name is realized as if in: the working directory, or a name file's (`-f FILE`). */
  readonly cwd: string;
}

/** The daemon's results, or undefined when no daemon listens at the socket. Throws the daemon's error as a `NomiaError`. */
export function askDaemon(ask: DaemonAsk, onEvent: EventListener): Promise<readonly Resource[] | undefined> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(ask.socket);
    let connected = false;
    let buf = '';
    socket.on('connect', () => {
      connected = true;
      const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
      socket.write(`${JSON.stringify({ id: 1, op: 'realize', name: ask.name, cwd: ask.cwd, env, sandbox: ask.sandbox, store: ask.store, events: true })}\n`);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')) resolvePromise(undefined);
      else reject(new NomiaError('daemon/io', `the daemon at ${ask.socket} failed: ${e.message}`, { hint: 'restart `nomia daemon`, or realize without --daemon' }));
    });
    socket.on('close', () => reject(new NomiaError('daemon/io', `the daemon at ${ask.socket} closed the connection without an answer`, { hint: 'see the daemon\'s output; realize without --daemon meanwhile' })));
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (let nl; (nl = buf.indexOf('\n')) !== -1;) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { event?: EngineEvent; ok?: boolean; results?: Resource[]; error?: { code: string; message: string; hint?: string } };
        if (msg.event) {
          onEvent(msg.event.kind === 'done' ? { ...msg.event, daemon: true } : msg.event);
          continue;
        }
        socket.end();
        if (msg.ok) resolvePromise((msg.results ?? []).map(asResource));
        else reject(new NomiaError((msg.error?.code ?? 'daemon/io') as ErrorCode, msg.error?.message ?? 'the daemon failed', msg.error?.hint === undefined ? {} : { hint: msg.error.hint }));
        return;
      }
    });
  });
}

/** A result line of the protocol as a resource. */
function asResource(r: { name: string; type: string; path?: string; value?: string }): Resource {
  return r.path !== undefined ? { kind: 'object', name: r.name, type: r.type, path: r.path } : { kind: 'value', name: r.name, type: r.type, value: r.value ?? '' };
}
