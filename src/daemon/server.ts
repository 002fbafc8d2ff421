/**
 * `nomia daemon`: a long-running process that realizes names for clients on
 * a Unix socket, so that many short-lived callers share one engine, one
 * store connection and one set of namespace processes. The socket is
 * created mode 0600 (only its owner may connect) and each client is held
 * to the namespaces the daemon grants.
 *
 * Protocol ("nomia-daemon/1", one JSON object per line each way):
 *   request  {"id": <any>, "op": "realize", "name": "<name text>",
 *             "cwd"?: "<dir>", "env"?: {…}, "sandbox"?: "bubblewrap" | "none",
 *             "store"?: "<store home>", "events"?: true}
 *   event    {"id": <same>, "event": {<engine event>}}     (only with "events": true)
 *   response {"id": <same>, "ok": true, "results": [{"name", "type", "path" | "value"}]}
 *          | {"id": <same>, "ok": false, "error": {"code", "message", "hint"?}}
 * A second op, "run" (docs/spec/protocol.md), runs a whole CLI command line in a
 * spare process for the native client and answers in byte frames (frames.ts);
 * it is the only request on its connection.
 * `cwd` and `env` are the caller's context (`nomia realize --daemon` sends
 * its own; default: the daemon's). `store`, when given, must be the
 * daemon's store. Requests on one connection may be answered out of order
 * (match by id); the events of a request precede its response.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { NomiaError } from '../errors.js';
import type { Resource } from '../namespace/types.js';
import { checkGrant } from './grants.js';
import { onLines } from './lines.js';

export const DAEMON_PROTOCOL = 'nomia-daemon/1';

/** A realize request as the daemon received it (validated). */
export interface DaemonRequest {
  readonly name: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly sandbox?: 'bubblewrap' | 'none';
  readonly store?: string;
}

export interface DaemonOptions {
  readonly socketPath: string;
  /** Realize one name (the engine, with the daemon's store and registry); `onEvent` when the client asked for events. */
  readonly realize: (request: DaemonRequest, onEvent?: (event: object) => void) => Promise<readonly Resource[]>;
  /** Namespace ids clients may use, or 'all'. */
  readonly granted: readonly string[] | 'all';
  readonly onRequest?: (name: string, outcome: 'ok' | 'error', detail: string) => void;
  /** Answer a "run" request on `socket` (run.ts); without it, "run" is refused like any unknown op. */
  readonly run?: (socket: Socket, body: Record<string, unknown>) => Promise<void>;
}

export interface Daemon {
  readonly socketPath: string;
  close(): Promise<void>;
}

function errorBody(e: unknown) {
  if (e instanceof NomiaError) return { code: e.code, message: e.message, ...(e.hint === undefined ? {} : { hint: e.hint }) };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}

/** The optional fields of a request, checked: a wrong type is a usage error naming the field. */
function validRequest(req: { name: string; cwd?: unknown; env?: unknown; sandbox?: unknown; store?: unknown }): DaemonRequest {
  const wrong = (field: string, want: string) => new NomiaError('usage', `"${field}" must be ${want}`, { hint: `see the protocol (${DAEMON_PROTOCOL}) in \`nomia daemon --help\`` });
  if (req.cwd !== undefined && (typeof req.cwd !== 'string' || !req.cwd.startsWith('/'))) throw wrong('cwd', 'an absolute path');
  if (req.store !== undefined && typeof req.store !== 'string') throw wrong('store', 'a path');
  if (req.sandbox !== undefined && req.sandbox !== 'bubblewrap' && req.sandbox !== 'none') throw wrong('sandbox', '"bubblewrap" or "none"');
  if (req.env !== undefined && (typeof req.env !== 'object' || req.env === null || Object.values(req.env).some((v) => typeof v !== 'string'))) throw wrong('env', 'an object of strings');
  return {
    name: req.name,
    ...(req.cwd === undefined ? {} : { cwd: req.cwd as string }),
    ...(req.env === undefined ? {} : { env: req.env as Record<string, string> }),
    ...(req.sandbox === undefined ? {} : { sandbox: req.sandbox as 'bubblewrap' | 'none' }),
    ...(req.store === undefined ? {} : { store: req.store as string }),
  };
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { socketPath } = options;
  // A socket file left by a daemon that died is replaced; anything else at the path is not ours to remove.
  if (existsSync(socketPath)) {
    if (!lstatSync(socketPath).isSocket()) throw new NomiaError('daemon/io', `${socketPath} exists and is not a socket`, { hint: 'choose another --socket path' });
    unlinkSync(socketPath);
  }
  const clients = new Set<Socket>();
  const running = new Set<Socket>();
  // Half-open: a `run` client shuts down its side at the end of its standard input and still reads the command's output.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => undefined);
    // A realize client that ends its side is done with the connection: end ours too, as a socket that is not
    // half-open does (else the client's socket stays open and its process never exits). On a run connection
    // the end is the end of the command's standard input, and the command goes on.
    socket.on('end', () => {
      if (!running.has(socket)) socket.end();
    });
    onLines(socket, (line) => {
      if (line.trim()) void handle(socket, line);
    });
  });
  const handle = async (socket: Socket, line: string) => {
    let id: unknown = null;
    let reply: object;
    try {
      let req: { id?: unknown; op?: unknown; name?: unknown; cwd?: unknown; env?: unknown; sandbox?: unknown; store?: unknown; events?: unknown };
      try {
        req = JSON.parse(line) as typeof req;
      } catch {
        throw new NomiaError('usage', 'the request is not JSON', { hint: `send one JSON object per line (${DAEMON_PROTOCOL})` });
      }
      id = req.id ?? null;
      if (req.op === 'run' && options.run) {
        // From here the connection is the command's: what the client sends is its standard input, not requests.
        socket.removeAllListeners('data');
        running.add(socket);
        await options.run(socket, req as Record<string, unknown>);
        return;
      }
      if (req.op !== 'realize' || typeof req.name !== 'string') throw new NomiaError('usage', 'expected {"op": "realize", "name": "<name>"}');
      checkGrant(req.name, options.granted);
      const request = validRequest(req as typeof req & { name: string });
      const onEvent = req.events === true ? (event: object) => { if (!socket.destroyed) socket.write(`${JSON.stringify({ id, event })}\n`); } : undefined;
      const results = await options.realize(request, onEvent);
      reply = { id, ok: true, results: results.map((r) => ({ name: r.name, type: r.type, ...(r.kind === 'object' ? { path: r.path } : { value: r.value }) })) };
      options.onRequest?.(req.name, 'ok', results.map((r) => r.name).join(' '));
    } catch (e) {
      reply = { id, ok: false, error: errorBody(e) };
      options.onRequest?.(line.slice(0, 200), 'error', errorBody(e).message);
    }
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (e) => reject(new NomiaError('daemon/io', `cannot listen on ${socketPath}: ${e.message}`)));
    server.listen(socketPath, () => resolvePromise());
  });
  chmodSync(socketPath, 0o600);
  return {
    socketPath,
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
