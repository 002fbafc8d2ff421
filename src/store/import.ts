/**
 * Import a NAR stream (e.g. `nomia dump` or `nix-store --dump` output) as a
 * store object. The NAR is checked strictly while it is unpacked into tmp/;
 * a corrupt or truncated one is refused and leaves nothing behind.
 */
import { commitObject, withWorkDir, type CommitResult } from './commit.js';
import { normalizeTree, syncFileSystem } from './fs-util.js';
import { ioError } from './layout.js';
import { restoreNar } from './nar.js';
import { checkObjectName } from './store-path.js';
import type { Store } from './store.js';

export interface ImportOptions {
  /** A NAR carries no name; default `imported`. */
  readonly name?: string;
  readonly references?: readonly string[];
  readonly root?: string;
}

export async function importNar(store: Store, source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<CommitResult> {
  const name = checkObjectName(options.name ?? 'imported');
  return withWorkDir(store, async (work, tree) => {
    let restored;
    try {
      restored = await restoreNar(source, tree);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS') throw ioError(e, tree, 'write into the store');
      throw e;
    }
    normalizeTree(tree);
    if (store.fsync) syncFileSystem(work);
    return commitObject(store, {
      tree, hash: restored.hash, narSize: restored.narSize, name,
      ...(options.references ? { references: options.references } : {}),
      ...(options.root !== undefined ? { root: options.root } : {}),
    });
  });
}
