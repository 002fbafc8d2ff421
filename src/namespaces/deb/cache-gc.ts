/**
 * Garbage collection of the deb namespace's cache (`cache/deb/` in the
 * store's home), run by `nomia gc` after the store's own sweep
 * (docs/namespaces/deb.md, "gc and the cache"). The policy is the store's:
 * what a running process may still use is kept, what nothing can use any
 * more goes, and what can be fetched again is not hoarded.
 *
 * - Staged downloads (staging.ts) of a process that runs are in use: kept,
 *   as gc keeps a running realize's temporary roots. Those of an exited
 *   process are deleted: the store holds the trees they were unpacked into,
 *   and a download cut short by a failure is fetched again when needed (as
 *   Nix collects an unrooted download and `apt-get clean` empties apt's).
 * - A hint (known.ts) whose object has left the store is deleted.
 * - A kept answer of apt (answers.ts) made before the index's last refresh
 *   is deleted.
 * - apt's copy of the index (`lists/`, its caches, the empty status) is
 *   kept: contextual names resolve against it, and `apt-get update` itself
 *   drops what the sources no longer name.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, cacheEntries, sweepCache, type Store } from '../../namespace/index.js';
import { answersRoot } from './answers.js';
import { knownObject, knownRoot } from './known.js';
import { stagingLive, stagingOwner, stagingRoot } from './staging.js';

export interface DebCacheGcOptions {
  /** `delete` removes; `list-dead` (a dry run) only reports. */
  readonly action: 'delete' | 'list-dead';
  /** Store entries the sweep deleted (for a dry run, would delete): gone, whether or not they are still there. */
  readonly swept?: ReadonlySet<string>;
}

export interface DebCacheGcResult {
  /** What is (or, for a dry run, would be) removed, relative to the store's home (`cache/deb/staged/…`). */
  readonly removed: readonly string[];
  /** The bytes of the removed files. */
  readonly bytesFreed: number;
  /** Staged downloads kept because the process that staged them runs. */
  readonly inUse: number;
}

/** Collect the deb cache of `store` (see above). Safe while realizes run. */
export function gcDebCache(store: Store, options: DebCacheGcOptions): DebCacheGcResult {
  const root = cacheDir(store, 'deb');
  const dead: string[] = [];
  let inUse = 0;
  for (const entry of cacheEntries(stagingRoot(root))) {
    const path = join(stagingRoot(root), entry);
    // A live process's directory is its own; anything else (an exited process's, or a file an older Nomia staged there) is nobody's.
    if (stagingOwner(entry) !== undefined && stagingLive(entry)) inUse += cacheEntries(path).length;
    else dead.push(path);
  }
  for (const sha256 of cacheEntries(knownRoot(root))) {
    const object = knownObject(root, sha256);
    if (object === undefined || object === '' || options.swept?.has(object) || !exists(join(store.layout.storeDir, object))) dead.push(join(knownRoot(root), sha256));
  }
  // An answer made before the index's last refresh was made against another index (or the same one: asking again is cheap).
  const refreshed = statSync(join(root, 'updated'), { throwIfNoEntry: false })?.mtimeMs;
  for (const answer of cacheEntries(answersRoot(root))) {
    const path = join(answersRoot(root), answer);
    const made = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (refreshed === undefined || made === undefined || made < refreshed) dead.push(path);
  }
  return sweepCache(store.layout.home, dead, options.action, inUse);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
