/**
 * The hash a `fetch:url` name must carry for a file at hand, computed as
 * fetch computes it (what `nomia hash file [--unpack]` prints): the SHA-256
 * of the bytes, or with `unpack` the NAR hash of the unpacked tree with a
 * lone top-level directory made the root.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContentHash, contentHashFromDigest, hashPath, NomiaError } from '../../namespace/index.js';
import { singleRoot, unpackArchive } from '../unpack/archive.js';

export interface PrefetchOptions {
  /** Hash the unpacked tree, as `fetch:url?…&unpack=true` does. */
  readonly unpack?: boolean;
  /** Where the tree is unpacked for hashing (a fresh directory inside it); default the system's temporary directory. */
  readonly tmpDir?: string;
}

/** The `sha256=` for `fetch:url` of a server sending the bytes of `file`. */
export async function prefetchHash(file: string, options: PrefetchOptions = {}): Promise<ContentHash> {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new NomiaError('usage', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`, { cause: e });
  }
  if (!isFile) throw new NomiaError('usage', `${file} is not a file`, { hint: 'for a directory, `nomia hash path DIR` gives its NAR hash' });
  if (!options.unpack) {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    return contentHashFromDigest(h.digest());
  }
  const work = mkdtempSync(join(options.tmpDir ?? tmpdir(), 'nomia-prefetch-'));
  try {
    const out = join(work, 'out');
    await unpackArchive(file, out, { format: 'auto', label: file });
    return (await hashPath(singleRoot(out))).hash;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
