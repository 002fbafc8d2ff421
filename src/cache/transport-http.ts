/**
 * A cache over HTTP: GET to read, PUT to write (nginx's dav module, any
 * WebDAV server, an S3-style bucket). One keep-alive agent per cache, so
 * lookups reuse warm connections. A cache that refuses a connection or
 * stalls for `timeoutMs` is down for the rest of the run: every later call
 * answers at once (reads find nothing), so a dead cache costs one timeout,
 * not one per object.
 */
import { Agent, request } from 'node:http';
import { NomiaError } from '../errors.js';
import { FetchFailed } from './http-body.js';
import { Pipeline, Unframed } from './http-pipeline.js';
import type { RestorePool, Restored } from './restore-pool.js';
import { counting, type Transport } from './transport.js';

export function httpTransport(url: string, timeoutMs: number): Transport {
  const base = url.endsWith('/') ? url : `${url}/`;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let down: string | undefined;
  const at = new URL(base);
  const host = socketHost(at);
  // Small files (records) go through the pipelining client, until the server answers in a way it cannot frame.
  let pipeline: Pipeline | undefined = new Pipeline(host, Number(at.port || 80), timeoutMs, at.host);
  const small = async (path: string): Promise<{ status: number; data: Buffer[] }> => {
    if (down !== undefined) throw downError(url, down);
    if (!pipeline) return call('GET', path);
    try {
      const a = await pipeline.get(`${at.pathname}${path}`);
      return { status: a.status, data: [a.body] };
    } catch (e) {
      if (!(e instanceof Unframed)) {
        down ??= (e as Error).message;
        throw downError(url, down);
      }
      pipeline.close();
      pipeline = undefined;
      return call('GET', path);
    }
  };

  const call = (method: 'GET' | 'HEAD' | 'PUT', path: string, body?: Buffer): Promise<{ status: number; data: Buffer[] }> => {
    if (down !== undefined) return Promise.reject(downError(url, down));
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, base), { method, agent, timeout: timeoutMs, ...(body ? { headers: { 'content-length': body.length } } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, data: chunks }));
        res.on('error', fail);
      });
      function fail(e: Error): void {
        down = e.message;
        req.destroy();
        reject(downError(url, down));
      }
      req.on('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', fail);
      req.end(body);
    });
  };

  /** GET with its body as it arrives: resolves at the status line, undefined for a file not there. */
  const stream = (path: string): Promise<AsyncIterable<Uint8Array> | undefined> => {
    if (down !== undefined) return Promise.reject(downError(url, down));
    return new Promise((resolve, reject) => {
      // Once the consumer has let go (a NAR refused half-way), the connection's end is ours, not the cache's fault.
      let released = false;
      const req = request(new URL(path, base), { method: 'GET', agent, timeout: timeoutMs }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          if (absent(status)) resolve(undefined);
          else reject(answered(url, 'GET', path, status));
          return;
        }
        resolve((async function* body(): AsyncGenerator<Uint8Array> {
          try {
            for await (const chunk of res) yield chunk as Buffer;
          } catch (e) {
            throw downError(url, down ?? (e as Error).message);
          } finally {
            released = true;
            if (!res.complete) req.destroy();
          }
          if (!res.complete) throw downError(url, down ?? 'the connection closed before the end of the file');
        })());
      });
      function fail(e: Error): void {
        if (released) return;
        down = e.message;
        req.destroy(e);
        reject(downError(url, down));
      }
      req.on('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', fail);
      req.end();
    });
  };

  /** See `Transport.restoreNar`: a restore thread GETs the NAR on its own connections, unless this server needs Node's client. */
  const restoreNar = async (path: string, dest: string, threads: RestorePool, progress: (bytes: number) => void): Promise<Restored | undefined> => {
    if (down !== undefined) throw downError(url, down);
    if (pipeline) {
      try {
        const r = await threads.fetch({ host, port: Number(at.port || 80), hostHeader: at.host, timeoutMs }, `${at.pathname}${path}`, dest, progress);
        if (!('status' in r)) return r;
        if (absent(r.status)) return undefined;
        throw answered(url, 'GET', path, r.status);
      } catch (e) {
        if (!(e instanceof FetchFailed)) throw e;
        if (e.reason === 'down') {
          down ??= e.message;
          throw downError(url, down);
        }
        // Nothing was restored: the head said it cannot be read here. This server's bytes go through Node's client from now on.
        pipeline?.close();
        pipeline = undefined;
      }
    }
    const nar = await stream(path);
    return nar && threads.restore(counting(nar, progress), dest);
  };

  return {
    url,
    restoreNar,
    get: async (path) => {
      const { status, data } = await small(path);
      if (absent(status)) return undefined;
      if (status !== 200) throw answered(url, 'GET', path, status);
      return Buffer.concat(data);
    },
    stream,
    has: async (path) => (await call('HEAD', path)).status === 200,
    put: async (path, data) => {
      const { status } = await call('PUT', path, data);
      if (status !== 200 && status !== 201 && status !== 204) {
        throw new NomiaError('cache/io', `${url}: PUT ${path} answered ${status}`, { hint: putHint(status) });
      }
    },
    close: () => {
      agent.destroy();
      pipeline?.close();
    },
  };
}

/**
 * The host to open a socket to: `URL.hostname` keeps the brackets of an IPv6 literal (`[::1]`), which
 * `net.connect` would look up as a name and not find. (The Host header keeps them: `URL.host`.)
 */
export function socketHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Statuses that say a file is not there (a bucket that forbids listing answers 403 for a missing key). */
const absent = (status: number): boolean => status === 404 || status === 403 || status === 410;

function answered(url: string, method: string, path: string, status: number): NomiaError {
  return new NomiaError('cache/io', `${url}: ${method} ${path} answered ${status}`, { hint: 'check the cache server\'s log' });
}

/**
 * What to fix when a server refuses an upload. nginx answers 405 without its dav module's PUT, 413 above
 * `client_max_body_size`, and 500 (or 403) when its workers, which run as another user than a root master,
 * may not write the cache's directory: the case the dav lines alone do not cure.
 */
function putHint(status: number): string {
  if (status === 405) return 'the server must accept uploads (nginx: dav_methods PUT; create_full_put_path on;)';
  if (status === 413) return 'the server limits the size of uploads (nginx: client_max_body_size 0;)';
  return 'the server could not write the file: the user its workers run as (nginx: the `user` directive, '
    + 'nobody by default) must be able to write the cache\'s directory; the server\'s error log says why';
}

function downError(url: string, why: string): NomiaError {
  return new NomiaError('cache/io', `the cache ${url} is down: ${why}`, { hint: 'start the cache server, or check its URL (a realize goes on without it: it builds)' });
}
