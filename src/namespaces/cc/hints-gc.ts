/**
 * Garbage collection of cc's compile hints (`cache/cc/hints/`, hints.ts)
 * and of its libraries' interfaces (`cache/cc/interfaces/`, shared-interfaces.ts),
 * run by `nomia gc` after the store's own sweep (docs/store.md, "gc"): a
 * module's hints are deleted once none of the toolchain objects they were
 * made with is in the store (the sweep may just have deleted it), and so
 * are hints that name none (kept by an older Nomia) or cannot be read
 * (the keyed hint store's rule, namespace/hint-store.ts). A
 * hint only orders a compile's work, so deleting one costs at most a run.
 * An interface's entry goes once none of the libraries it lists is in the
 * store: it could only lead to a library that is gone.
 */
import { join } from 'node:path';
import { cacheEntries, deadHints, survivesSweep, sweepCache, type CacheCollection, type Store } from '../../namespace/index.js';
import { hintsOf } from './hints.js';
import { interfacesRoot, readLibraries } from './shared-interfaces.js';

/**
 * Collect the dead hints and interface entries of `store` (see above); `swept` are the store entries the
 * sweep deleted (for a dry run, would delete). Safe while realizes run: a hint deleted under one is a worse guess.
 */
export function gcHints(store: Store, action: 'delete' | 'list-dead', swept: ReadonlySet<string> = new Set()): CacheCollection {
  const dead = deadHints(store, hintsOf(store).dir, swept);
  const inStore = survivesSweep(store, swept);
  const ifaces = interfacesRoot(store);
  const gone = cacheEntries(ifaces).map((e) => join(ifaces, e)).filter((path) => !readLibraries(path).some(inStore));
  return sweepCache(store.layout.home, [...dead, ...gone], action);
}
