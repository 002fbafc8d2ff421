/**
 * Garbage collection of cc's compile hints (`cache/cc/hints/`, hints.ts)
 * and of its libraries' interfaces (`cache/cc/interfaces/`, shared-interfaces.ts),
 * run by `nomia gc` after the store's own sweep (docs/store.md, "gc"): a
 * module's hints are deleted once none of the toolchain objects they were
 * made with is in the store (the sweep may just have deleted it), and so
 * are hints that name none (kept by an older Nomia) or cannot be read. A
 * hint only orders a compile's work, so deleting one costs at most a run.
 * An interface's entry goes once none of the libraries it lists is in the
 * store: it could only lead to a library that is gone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntries, sweepCache, type CacheCollection, type Store } from '../../namespace/index.js';
import { hintsRoot, readHints } from './hints.js';
import { interfacesRoot, readLibraries } from './shared-interfaces.js';

/**
 * Collect the dead hints and interface entries of `store` (see above); `swept` are the store entries the
 * sweep deleted (for a dry run, would delete). Safe while realizes run: a hint deleted under one is a worse guess.
 */
export function gcHints(store: Store, action: 'delete' | 'list-dead', swept: ReadonlySet<string> = new Set()): CacheCollection {
  const root = hintsRoot(store);
  const inStore = (entry: string | undefined) => entry !== undefined && !swept.has(entry) && existsSync(join(store.layout.storeDir, entry));
  const dead = cacheEntries(root).map((e) => join(root, e)).filter((path) => !readHints(path).some((h) => inStore(h.toolchain)));
  const ifaces = interfacesRoot(store);
  const gone = cacheEntries(ifaces).map((e) => join(ifaces, e)).filter((path) => !readLibraries(path).some(inStore));
  return sweepCache(store.layout.home, [...dead, ...gone], action);
}
