/** A cache in a local directory. */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NomiaError } from '../errors.js';
import type { Transport } from './transport.js';

function cacheIo(e: unknown, path: string, doing: string): NomiaError {
  return new NomiaError('cache/io', `cannot ${doing} ${path}: ${(e as Error).message}`, { hint: 'check that the cache directory exists and that you may write it' });
}

/**
 * A cache directory that is not there is a mistake to say (a typo, an unmounted share, `HOST:PORT/PATH`
 * without `http://`, which is a relative path), not an empty cache: the reader then marks it down.
 */
function missingCache(url: string, root: string): NomiaError {
  const http = /^[\w.-]+:\d+(\/|$)/.test(url) ? `; for a server, write http://${url}` : '';
  return new NomiaError('cache/io', `the cache ${url} is not there: no directory ${root}${http}`, { hint: 'check the substituter\'s path or URL' });
}

export function fileTransport(url: string, root: string): Transport {
  const get = async (path: string): Promise<Buffer | undefined> => {
    const p = join(root, path);
    try {
      return readFileSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw cacheIo(e, p, 'read');
      if (!existsSync(root)) throw missingCache(url, root);
      return undefined;
    }
  };
  return {
    url,
    get,
    stream: async (path) => {
      const p = join(root, path);
      let fd: number;
      try {
        fd = openSync(p, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw cacheIo(e, p, 'read');
      }
      // Big reads: the NAR is hashed and written in the chunks it is read in, and 1 MiB chunks hash ~1.5x faster than 64 KiB ones.
      return createReadStream(p, { fd, highWaterMark: 1 << 20 });
    },
    has: async (path) => existsSync(join(root, path)),
    put: async (path, data) => {
      const p = join(root, path);
      // Written beside the target and renamed: a reader (or a push cut short) never sees half a file.
      const tmp = `${p}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(tmp, data);
        renameSync(tmp, p);
      } catch (e) {
        throw cacheIo(e, p, 'write');
      }
    },
    close: () => undefined,
  };
}
