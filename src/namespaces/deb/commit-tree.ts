/**
 * Storing a tree built in a work directory of the store: given the store's
 * metadata, hashed, flushed to disk, then registered as it is
 * (store/commit.ts): no second copy. The flush runs in one flush shell per
 * process (store/flush-shell.ts): a closure commits a hundred trees, and
 * neither blocking nor forking Node for each is affordable.
 */
import {
  byContentName, commitObject, type ContentHash, flushShell, hashPath, normalizeTree, type RealizeContext, realPath, type Resource,
} from '../../namespace/index.js';

/** Lives as long as the process, holding it open only while a flush is awaited. */
const flusher = flushShell({ background: true });

/**
 * Store `tree` (in the work directory `work`) as an object named `name`;
 * `normalized` when the tree already has the store's metadata (root.ts),
 * `hashed` when it was also hashed already (unpack-pool.ts).
 */
export async function commitTree(ctx: RealizeContext, work: string, tree: string, name: string, options: { readonly normalized?: boolean; readonly hashed?: { readonly hash: ContentHash; readonly narSize: number } } = {}): Promise<Resource> {
  if (!options.normalized && !options.hashed) normalizeTree(tree);
  const { hash, narSize } = options.hashed ?? await hashPath(tree);
  if (ctx.store.fsync) await flusher.flush(work);
  const { object } = commitObject(ctx.store, { tree, hash, narSize, name });
  return { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(ctx.store, object) };
}
