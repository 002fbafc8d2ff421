/**
 * The NAR hash of a path inside a store object (a projection `tree/a.c`),
 * which the engine spells a projected input by (docs/spec/spelling.md,
 * "Projected inputs"). A store object never changes once added, so its
 * sub-paths are memoized through the stat cache like any imported path:
 * the next realize answers with one `lstat` and no read, and a path that
 * now holds something else (another object under that store path after a
 * gc) stats differently and is read again.
 */
import { lookupStat, recordStat, statTree } from './stat-cache.js';
import type { CachedHash } from './stat-cache.js';
import type { Store } from './store.js';

/** The content hash and NAR size of what `path` (inside a store object) holds. Throws what `hashPath` throws. */
export async function subObjectHash(store: Store, path: string): Promise<CachedHash> {
  const state = statTree(store, path);
  const known = state && lookupStat(store, state);
  if (known) return known;
  // The NAR code is loaded only on a miss: a known path (every later realize) is answered by one `lstat`.
  const { hashPath } = await import('./nar.js');
  const read = await hashPath(path);
  if (state) recordStat(store, state, read);
  return read;
}
