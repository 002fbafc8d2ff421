/**
 * Garbage collection of cc's compile hints (`cache/cc/hints/`, hints.ts),
 * run by `nomia gc` after the store's own sweep (docs/store.md, "gc"): a
 * module's hints are deleted once none of the toolchain objects they were
 * made with is in the store (the sweep may just have deleted it), and so
 * are hints that name none (kept by an older Nomia) or cannot be read. A
 * hint only orders a compile's work, so deleting one costs at most a run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntries, sweepCache, type CacheCollection, type Store } from '../../namespace/index.js';
import { hintsRoot, readHints } from './hints.js';

/** Collect the dead hints of `store` (see above). Safe while realizes run: a hint deleted under one is a worse guess. */
export function gcHints(store: Store, action: 'delete' | 'list-dead'): CacheCollection {
  const root = hintsRoot(store);
  const dead = cacheEntries(root).map((e) => join(root, e)).filter((path) => !readHints(path).some((h) => h.toolchain !== undefined && existsSync(join(store.layout.storeDir, h.toolchain))));
  return sweepCache(store.layout.home, dead, action);
}
