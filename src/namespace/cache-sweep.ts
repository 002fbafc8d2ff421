/**
 * Removing the dead entries of a cache kept beside the store (a namespace's
 * `cache/<id>/`, the memo of `nomia up`), for `nomia gc`: which entries are
 * dead is the cache's to say; measuring and removing them is the same for
 * every cache. Every such entry is a guess or a copy, so removing one is
 * always safe: the worst it costs is work done again.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Store } from '../store/store.js';
import type { CacheCollection } from './types.js';

/**
 * Whether a store entry (a name under the store directory) is still there after gc's sweep: present, and not
 * among `swept`, what the sweep deleted or, for a dry run, would delete (so a dry run counts as the gc would).
 */
export function survivesSweep(store: Store, swept: ReadonlySet<string>): (entry: string) => boolean {
  return (entry) => !swept.has(entry) && existsSync(join(store.layout.storeDir, entry));
}

/** The entries of `dir`; none when it does not exist (or cannot be read). */
export function cacheEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Bytes of the files in `path` (a file, or a directory of files). */
function sizeOf(path: string): number {
  try {
    const st = statSync(path);
    return st.isDirectory() ? cacheEntries(path).reduce((n, e) => n + sizeOf(join(path, e)), 0) : st.size;
  } catch {
    return 0;
  }
}

/**
 * Remove (`delete`) or only measure (`list-dead`) the entries `dead` (absolute paths under `home`, the
 * store's home, which `removed` is relative to); `inUse`: the entries the cache kept because they may be used.
 */
export function sweepCache(home: string, dead: readonly string[], action: 'delete' | 'list-dead', inUse = 0): CacheCollection {
  let bytesFreed = 0;
  for (const path of dead) {
    bytesFreed += sizeOf(path);
    // An entry taken over meanwhile (a rename out of the directory) is not here to remove: that is fine.
    if (action === 'delete') removeUnlessDenied(path);
  }
  return { removed: dead.map((p) => relative(home, p)), bytesFreed, inUse };
}

/** Remove `path`; in a store shared by a group, another user's entry stays for them (or root) to remove. */
function removeUnlessDenied(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
  }
}
