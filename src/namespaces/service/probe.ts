/**
 * Readiness probes (`ready=`): when a started service may be handed out.
 * `tcp://HOST:PORT` — a connection is accepted; `unix:///PATH` — a
 * connection to the Unix socket PATH is accepted; `http://HOST:PORT/PATH` — a
 * GET answers 2xx or 3xx; a list — a command that exits 0; absent — the
 * process was started (and has not exited at once). Each probe attempt is
 * short (its own timeout); the caller polls with back-off.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { type AtomRequest, usage } from '../../namespace/index.js';

export type Probe =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'http'; readonly host: string; readonly port: number; readonly path: string }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'command'; readonly argv: readonly string[] }
  | { readonly kind: 'started' };

/** Longest a single attempt may take, in ms. */
const ATTEMPT_MS = 1000;
/** A longer first line is no HTTP status line. */
const MAX_STATUS_LINE = 8192;

/**
 * The first wait between readiness attempts, in ms (the first attempt is made at once). A server binds
 * within a millisecond or two of its exec, and a refused connect costs tens of microseconds: a first wait
 * of 10 ms was most of a trivial service's start.
 */
export const PROBE_FIRST_MS = 1;
/**
 * The longest wait. A service is noticed ready at most this late: doubling up to 250 ms noticed one
 * that bound after 260 ms only at 505 ms. A connect or a GET is cheap, so those are capped at 50 ms
 * (the script peer's interval); a command probe starts a process each time, so it backs off further.
 */
const PROBE_MAX_MS = { network: 50, command: 250 } as const;

/** The wait after `wait`: growing by half (1, 2, 3, 5, 8, 12, …) up to the probe's longest. */
export function nextProbeWait(wait: number, probe: Probe): number {
  return Math.min(Math.ceil(wait * 1.5), probe.kind === 'command' ? PROBE_MAX_MS.command : PROBE_MAX_MS.network);
}

/** Parse `ready=`: a URL text or an expanded command list; undefined is `started`. */
export function parseProbe(req: AtomRequest, ready: string | readonly string[] | undefined): Probe {
  if (ready === undefined) return { kind: 'started' };
  if (typeof ready !== 'string') return { kind: 'command', argv: [...ready] };
  // unix:///run/x.sock, or unix:/run/x.sock as `unix:$socket` expands: an absolute path either way.
  const unix = /^unix:(?:\/\/)?(\/[^\0]*)$/.exec(ready);
  if (unix) return { kind: 'unix', path: unix[1]! };
  const m = /^(tcp|http):\/\/([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(\/[^\s]*)?$/.exec(ready);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535 || (m[1] === 'tcp' && m[4] !== undefined && m[4] !== '/')) {
    throw usage(req, `has ready=${ready}, which is no readiness probe`, 'use ready=tcp://127.0.0.1:8080, ready=http://127.0.0.1:8080/health, ready=unix:///run/x.sock, ready=$socket or ready=[command, arg, …]');
  }
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return m[1] === 'tcp' ? { kind: 'tcp', host, port } : { kind: 'http', host, port, path: m[4] ?? '/' };
}

/** Whether something accepts connections at host:port now (a port already taken, before a start). */
export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return accepts({ host, port });
}

/** Whether something accepts connections on the Unix socket `path` now. */
export function unixAccepts(path: string): Promise<boolean> {
  return accepts({ path });
}

function accepts(where: { host: string; port: number } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(where);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ATTEMPT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A GET over a plain socket, read only up to its status line: the readiness question is that line's code,
 * and node:http's client (agent, request and response objects, its parser) was most of an attempt's time on
 * the supervisor's thread, on the path of every hop of a chain. Lenient about line ends, as curl is (a CGI
 * script answering with bare \n is up, not broken); the rest of the answer is read and dropped, not cut off,
 * so the server sees a client that read its answer.
 */
function httpReady(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let head = '';
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    const end = (ok: boolean) => {
      settle(ok);
      socket.destroy();
    };
    socket.setTimeout(ATTEMPT_MS, () => end(false));
    socket.once('error', () => end(false));
    socket.once('end', () => end(false));
    socket.once('close', () => settle(false));
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host.includes(':') ? `[${host}]` : host}:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (settled) return;
      head += chunk;
      const nl = head.indexOf('\n');
      if (nl < 0) {
        if (head.length > MAX_STATUS_LINE) end(false);
        return;
      }
      const status = /^HTTP\/\d+(?:\.\d+)? +(\d{3})\b/.exec(head.slice(0, nl));
      const code = status ? Number(status[1]) : 0;
      // The answer is the status line's; the socket is left to drain and closes at the server's end or the timeout.
      settle(code >= 200 && code < 400);
      if (!status) socket.destroy();
    });
  });
}

function commandReady(argv: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...env }, cwd, stdio: 'ignore', timeout: ATTEMPT_MS * 5 });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** One attempt of `probe`: true when the service answers as ready. */
export function probeOnce(probe: Probe, env: Readonly<Record<string, string>>, cwd: string): Promise<boolean> {
  switch (probe.kind) {
    case 'tcp': return tcpAccepts(probe.host, probe.port);
    case 'unix': return unixAccepts(probe.path);
    case 'http': return httpReady(probe.host, probe.port, probe.path);
    case 'command': return commandReady(probe.argv, env, cwd);
    case 'started': return Promise.resolve(true);
  }
}

/** The probe as written, for messages. */
export function probeText(probe: Probe): string {
  switch (probe.kind) {
    case 'tcp': return `tcp://${probe.host}:${probe.port}`;
    case 'unix': return `unix://${probe.path}`;
    case 'http': return `http://${probe.host}:${probe.port}${probe.path}`;
    case 'command': return `[${probe.argv.join(', ')}]`;
    case 'started': return 'started';
  }
}
