/**
 * Downloading one URL to a file over HTTP(S), hashing the bytes as they
 * stream in, with Node's own http/https (no dependency).
 *
 * - Redirects (301, 302, 303, 307, 308) are followed, at most
 *   `maxRedirects` (default 10, curl's and Nix's order of magnitude), and
 *   only to http or https URLs.
 * - A status outside 2xx is `fetch/http` with the status.
 * - A body shorter than its Content-Length, or a connection that closes
 *   before a chunked body ends, is `fetch/http`: the file is incomplete.
 * - No progress for `stallMs` (connecting, waiting for headers, or between
 *   body bytes) is `fetch/timeout` naming the URL, like Nix's
 *   stalled-download-timeout: a slow but steady download is never cut off.
 * - The bytes are stored exactly as sent: `Accept-Encoding: identity` is
 *   asked for and no Content-Encoding is undone.
 * - Proxies as in proxy.ts. Every request uses its own connection
 *   (`agent: false`), so nothing keeps the process alive afterwards.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import { NomiaError } from '../../namespace/index.js';
import { proxyAuthorization, proxyFor } from './proxy.js';

export interface DownloadOptions {
  /** Milliseconds without progress before giving up. */
  readonly stallMs: number;
  /** Where proxy settings are read (the run's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** Bytes of the body received so far, and the total when known; called per chunk, the last call with `done === total`. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  readonly maxRedirects?: number;
}

export interface Downloaded {
  /** SHA-256 of the bytes, lowercase hex. */
  readonly sha256: string;
  readonly size: number;
  /** The URL the bytes came from, after redirects. */
  readonly url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HEADERS = { 'user-agent': 'nomia-fetch/1', accept: '*/*', 'accept-encoding': 'identity' };

/** Thrown into a request that made no progress in time; mapped to `fetch/timeout` by the caller. */
class Stalled extends Error {}

function timeoutError(url: string, stallMs: number, during: string): NomiaError {
  return new NomiaError('fetch/timeout', `fetch of ${url} timed out: no data for ${stallMs / 1000} s ${during}`, {
    hint: 'check the URL and the network; NOMIA_FETCH_TIMEOUT=SECONDS waits longer',
  });
}

/** A response, and whether its request was given up for lack of progress (the body then ends early). */
interface Response {
  readonly res: IncomingMessage;
  readonly stalled: () => boolean;
}

/** Send the request `make` builds and wait for the response headers. */
function send(make: () => ClientRequest, url: string, options: DownloadOptions, during: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = make();
    let stalled = false;
    req.setTimeout(options.stallMs, () => {
      stalled = true;
      req.destroy(new Stalled());
    });
    req.on('response', (res: IncomingMessage) => resolve({ res, stalled: () => stalled }));
    req.on('error', (e) => reject(mapError(e, url, options, during)));
    req.end();
  });
}

function mapError(e: unknown, url: string, options: DownloadOptions, during: string): unknown {
  if (options.signal?.aborted) return options.signal.reason ?? e;
  if (e instanceof Stalled) return timeoutError(url, options.stallMs, during);
  if (e instanceof NomiaError) return e;
  return new NomiaError('fetch/http', `fetch of ${url} failed: ${(e as Error).message}`, { hint: 'check the URL and the network', cause: e });
}

/** Open a tunnel through an http proxy to `url`'s host (for https). */
function tunnel(proxy: URL, url: URL, options: DownloadOptions): Promise<Socket> {
  const target = `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || 443}`;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: target, agent: false,
      headers: { host: target, ...proxyAuthorization(proxy) }, ...(options.signal ? { signal: options.signal } : {}),
    });
    req.setTimeout(options.stallMs, () => req.destroy(new Stalled()));
    req.on('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(new NomiaError('fetch/http', `fetch of ${url.href} failed: the proxy ${proxy.host} answered CONNECT with HTTP ${res.statusCode}`, { hint: 'check https_proxy' }));
    });
    req.on('error', (e) => reject(mapError(e, url.href, options, `connecting through the proxy ${proxy.host}`)));
    req.end();
  });
}

/** One GET, through a proxy if the environment says so; resolves with the response headers. */
async function get(url: URL, options: DownloadOptions): Promise<Response> {
  const base: RequestOptions = { agent: false, headers: { ...HEADERS }, ...(options.signal ? { signal: options.signal } : {}) };
  const proxy = proxyFor(url, options.env);
  const during = 'waiting for the response';
  if (!proxy) {
    const lib = url.protocol === 'https:' ? https : http;
    return send(() => lib.request(url, base), url.href, options, during);
  }
  if (url.protocol === 'http:') {
    return send(() => http.request({
      ...base, host: proxy.hostname, port: proxy.port || 80, path: url.href,
      headers: { ...HEADERS, host: url.host, ...proxyAuthorization(proxy) },
    }), url.href, options, `${during} from the proxy ${proxy.host}`);
  }
  const socket = await tunnel(proxy, url, options);
  try {
    const response = await send(() => https.request(url, { ...base, createConnection: () => tls.connect({ socket, servername: url.hostname.replace(/^\[|\]$/g, '') }) }), url.href, options, during);
    // Closing the TLS layer leaves the tunnel's own socket open, which would keep the process alive.
    response.res.once('close', () => socket.destroy());
    return response;
  } catch (e) {
    socket.destroy();
    throw e;
  }
}

/** Download `url` to the new file `dest`; see the module comment for what fails how. */
export async function download(url: string, dest: string, options: DownloadOptions): Promise<Downloaded> {
  const maxRedirects = options.maxRedirects ?? 10;
  const first = new URL(url);
  let current = first;
  for (let hops = 0; ; hops++) {
    const { res, stalled } = await get(current, options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location) {
      res.resume();
      if (hops >= maxRedirects) throw new NomiaError('fetch/http', `fetch of ${url} failed: more than ${maxRedirects} redirects (the last to ${location})`, { hint: 'the server redirects in a loop; check the URL' });
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new NomiaError('fetch/http', `fetch of ${url} failed: redirected to ${next.href}, which is not an http or https URL`);
      options.log?.(`redirected (HTTP ${status}) to ${next.href}`);
      current = next;
      continue;
    }
    if (status < 200 || status > 299) {
      res.resume();
      const via = current.href === first.href ? '' : ` (redirected to ${current.href})`;
      throw new NomiaError('fetch/http', `fetch of ${url} failed: HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${via}`, {
        hint: status === 404 ? 'the URL is wrong or the file was removed' : 'check the URL; the server refused it',
      });
    }
    return receive(res, stalled, current.href, dest, options);
  }
}

async function receive(res: IncomingMessage, stalled: () => boolean, url: string, dest: string, options: DownloadOptions): Promise<Downloaded> {
  const hash = createHash('sha256');
  const lengthHeader = res.headers['content-length'];
  const expected = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  let size = 0;
  try {
    await pipeline(res, async function* (body: AsyncIterable<Buffer>) {
      for await (const chunk of body) {
        hash.update(chunk);
        size += chunk.length;
        options.onProgress?.(size, expected);
        yield chunk;
      }
    }, createWriteStream(dest, { flags: 'wx' }));
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason ?? e;
    if (stalled() || e instanceof Stalled) throw timeoutError(url, options.stallMs, `after ${size} bytes of the body`);
    if (e instanceof NomiaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || (e as Error).message === 'aborted') throw truncated(url, size, expected);
    throw mapError(e, url, options, 'receiving the body');
  }
  if (expected !== undefined && size !== expected) throw truncated(url, size, expected);
  // The total is known for certain only now (a chunked body has no Content-Length).
  if (expected === undefined) options.onProgress?.(size, size);
  return { sha256: hash.digest('hex'), size, url };
}

function truncated(url: string, size: number, expected: number | undefined): NomiaError {
  return new NomiaError('fetch/http', `fetch of ${url} failed: the connection closed after ${size}${expected === undefined ? '' : ` of ${expected}`} bytes; the body is incomplete`, {
    hint: 'try again; if it recurs, the server is cutting the download short',
  });
}
