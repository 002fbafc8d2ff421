/** A cache in a local directory. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NomiaError } from '../errors.js';
import type { Transport } from './transport.js';

function cacheIo(e: unknown, path: string, doing: string): NomiaError {
  return new NomiaError('cache/io', `cannot ${doing} ${path}: ${(e as Error).message}`, { hint: 'check that the cache directory exists and that you may write it' });
}

export function fileTransport(url: string, root: string): Transport {
  const get = async (path: string): Promise<Buffer | undefined> => {
    const p = join(root, path);
    try {
      return readFileSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw cacheIo(e, p, 'read');
    }
  };
  return {
    url,
    get,
    read: async (path) => {
      const b = await get(path);
      return b && [b];
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
