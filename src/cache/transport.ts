/**
 * Where a cache lives: a directory (`file:///srv/cache` or a plain path) or
 * an HTTP server (`http://host:port/prefix`, read with GET, written with
 * PUT as WebDAV servers take it). A transport moves whole files by their
 * path relative to the cache's root; absent is `undefined`, not an error.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NomiaError } from '../errors.js';
import type { RestorePool, Restored } from './restore-pool.js';
import { fileTransport } from './transport-file.js';
import { httpTransport } from './transport-http.js';

export interface Transport {
  /** The cache's URL as given, for messages and records of where a reduction came from. */
  readonly url: string;
  /** A file's bytes, or undefined if it is not there. Throws `cache/io` when the cache cannot be reached. */
  get(path: string): Promise<Buffer | undefined>;
  /**
   * A file's bytes as they arrive, or undefined if it is not there: a NAR goes from here into the store
   * in one pass, never held whole. Resolves once the file is known to be there; the stream then fails
   * (with `cache/io`) if the cache stops answering. A consumer that stops early ends it with `return()`.
   */
  stream(path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * Restore the NAR at `path` at `dest` (which must not exist) on one of `threads`, which reads it from the
   * cache itself, so its bytes never pass through this thread; undefined if it is not there. Only caches
   * a thread can reach alone (HTTP) have it. Fails as `stream` and `RestorePool.restore` do; `progress` is
   * told of the bytes as they arrive.
   */
  restoreNar?(path: string, dest: string, threads: RestorePool, progress: (bytes: number) => void): Promise<Restored | undefined>;
  /** Whether a file is there. */
  has(path: string): Promise<boolean>;
  /** Write a file whole: a reader sees the old file, no file, or the new one, never a part. */
  put(path: string, data: Buffer): Promise<void>;
  close(): void;
}

/** Options for reaching HTTP caches. */
export interface TransportOptions {
  /** How long a connection or a response may stall before the cache is taken for down; default 3000 ms. */
  readonly timeoutMs?: number;
}

/** The transport for a cache URL (`file://`, `http://`, or a plain path). Throws `usage` for any other. */
export function openTransport(url: string, options: TransportOptions = {}): Transport {
  if (url.startsWith('http://')) return httpTransport(url, options.timeoutMs ?? 3000);
  if (url.startsWith('file://')) return fileTransport(url, fileURLToPath(url));
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return fileTransport(url, resolve(url));
  throw new NomiaError('usage', `${url} is not a cache this Nomia can reach`, { hint: 'use file:///DIR, a directory path, or http://HOST:PORT/PATH' });
}

/** `source`, telling `progress` of each piece's size as it passes. */
export async function* counting(source: AsyncIterable<Uint8Array>, progress: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    progress(chunk.length);
    yield chunk;
  }
}
