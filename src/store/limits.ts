/**
 * How deep and how long a path inside a store object may be. Every path in
 * the store stays short enough for ordinary tools (`rm -rf`, `tar`, a
 * build's own scripts) to reach it by name, and every walk of an object
 * stays shallow: a hostile 10 KB archive of a directory 2 000 levels deep
 * must not become an object nothing can delete. Nix has no such limit and
 * fails on such trees with ENAMETOOLONG or a stack overflow.
 *
 * The limits are checked where trees enter the store: `nomia add` (while
 * the NAR is dumped), `nomia import` (while it is restored) and archive
 * unpacking. Deleting (`removeTree`) needs no limit: it works at any depth.
 */
import { NomiaStoreError } from '../errors.js';

/** Most components below an object's root: `a/b/c` is 3 deep. */
export const MAX_DEPTH = 256;

/** Most bytes of a path relative to an object's root (`a/b/c` is 5). */
export const MAX_RELATIVE_PATH = 3072;

/**
 * Throw `store/too-deep` when a path `depth` components deep and
 * `length` bytes long (relative to the object's root) exceeds the limits.
 * `where` names the tree in the message.
 */
export function checkPathLimits(depth: number, length: number, where: string): void {
  if (depth <= MAX_DEPTH && length <= MAX_RELATIVE_PATH) return;
  const what = depth > MAX_DEPTH ? `more than ${MAX_DEPTH} directories deep` : `a path longer than ${MAX_RELATIVE_PATH} bytes`;
  throw new NomiaStoreError('store/too-deep', `${where} has ${what}; the store holds trees up to ${MAX_DEPTH} levels and ${MAX_RELATIVE_PATH}-byte paths`, {
    hint: 'flatten the tree before adding it (docs/store.md, "Limits"); nothing was stored',
  });
}
