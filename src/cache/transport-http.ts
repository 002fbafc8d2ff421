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
import type { Transport } from './transport.js';

export function httpTransport(url: string, timeoutMs: number): Transport {
  const base = url.endsWith('/') ? url : `${url}/`;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let down: string | undefined;

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

  /** The body of a GET as it arrived, in pieces: a NAR goes from these into the store with no copy of its own. */
  const read = async (path: string): Promise<Buffer[] | undefined> => {
    const { status, data } = await call('GET', path);
    if (status === 404 || status === 403 || status === 410) return undefined;
    if (status !== 200) throw new NomiaError('cache/io', `${url}: GET ${path} answered ${status}`, { hint: 'check the cache server\'s log' });
    return data;
  };

  return {
    url,
    get: async (path) => {
      const data = await read(path);
      return data && Buffer.concat(data);
    },
    read,
    has: async (path) => (await call('HEAD', path)).status === 200,
    put: async (path, data) => {
      const { status } = await call('PUT', path, data);
      if (status !== 200 && status !== 201 && status !== 204) {
        throw new NomiaError('cache/io', `${url}: PUT ${path} answered ${status}`, { hint: 'the server must accept uploads (nginx: dav_methods PUT; create_full_put_path on;)' });
      }
    },
    close: () => agent.destroy(),
  };
}

function downError(url: string, why: string): NomiaError {
  return new NomiaError('cache/io', `the cache ${url} is down: ${why}`, { hint: 'start the cache server, or realize with --offline' });
}
