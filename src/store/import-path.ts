/**
 * Import a file or tree from outside the store (`nomia add`,
 * `filesystem:import`), answering from the stat cache when it can: an
 * unchanged path costs one `lstat` per entry and a lookup, and reads no
 * byte, as long as its object is still in the store.
 *
 * On a miss the order matters: the stats are taken (with the clock) before
 * anything is read, and recorded with the hash of what was read, so that a
 * change made meanwhile shows in the next stats (see stat-cache.ts).
 */
import { resolve } from 'node:path';
import { addPath, checkSource, objectNameFor, type AddOptions } from './add.js';
import { holdExisting, type CommitResult } from './commit.js';
import { lookupStat, recordStat, statTree, type TreeState } from './stat-cache.js';
import type { Store } from './store.js';

export interface ImportPathOptions extends AddOptions {
  /** Trust the stat cache (default true). False adds as if there were none (read and copy) and refreshes the entry. */
  readonly statCache?: boolean;
}

export interface ImportPathResult extends CommitResult {
  /** False when the stat cache gave the hash and the object was there: nothing was read. */
  readonly read: boolean;
  /**
   * What the stat cache saw, taken before anything was read: the state the result is a function of
   * (for a caller that remembers what it depended on, as the engine's memo does). Undefined when the
   * path could not be statted or the clock not read.
   */
  readonly state?: TreeState;
}

/** Like `addPath`, through the stat cache. Throws what `addPath` throws. */
export async function importPath(store: Store, src: string, options: ImportPathOptions = {}): Promise<ImportPathResult> {
  const abs = resolve(src);
  const name = objectNameFor(abs, options.name);
  // Before the walk: a tree holding the store would be walked whole only to be refused.
  checkSource(store, abs);
  const keep = {
    ...(options.references ? { references: options.references } : {}),
    ...(options.root !== undefined ? { root: options.root } : {}),
  };
  const state = statTree(store, abs);
  // Without the cache (`statCache: false`) this is a plain add: read and copy, the commit keeps what is there.
  const known = state && options.statCache !== false ? lookupStat(store, state) : undefined;
  if (known) {
    const held = holdExisting(store, { hash: known.hash, name, ...keep });
    if (held) return { ...held, read: false, ...(state ? { state } : {}) };
    // Collected since: copy it in again.
  }
  // A miss is read once, copying as it hashes: hashing first would read new content twice to save a
  // copy only for content already stored from another path.
  const result = await addPath(store, abs, { ...options, name });
  if (state) recordStat(store, state, { hash: result.object.hash, narSize: result.object.narSize });
  return { ...result, read: true, ...(state ? { state } : {}) };
}
