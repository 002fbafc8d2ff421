/**
 * A file a compile, archive or link wrote (or a header or source it read),
 * as a store object found by its content before it is added. Most are in the
 * store already: every header after the first compile that read it, and
 * every object, archive and program that comes out byte-identical (early
 * cutoff: a comment changed, a program relinked against a library whose
 * change it does not see). Hashing one is much cheaper than adding it —
 * a copy, an `fsync`, a commit and a work directory removed — only to find
 * it present.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  addPath, byContentName, hashPath, holdExisting, objectResource, parseObjectPath, type RealizeContext, type Resource, type Store,
} from '../../namespace/index.js';

/** The file at `path` as the object `name` by its content: the one present (held against a gc, as an add holds), else added. */
export async function storeOutput(ctx: RealizeContext, path: string, name: string): Promise<Resource> {
  const real = realpathSync(path);
  const present = holdExisting(ctx.store, { hash: (await hashPath(real)).hash, name });
  const object = present?.object ?? (await addPath(ctx.store, real, { name })).object;
  return objectResource(ctx.store, object);
}

/**
 * The name `storeOutput` would give the file at `path` as `name`, when that file is a whole object of the store
 * under that name already (a compile's source that an import stored, held by the engine as an input): named by
 * its content without reading it. Undefined for anything else (a file inside a tree, `$src/a.c`).
 */
export function wholeObjectName(store: Store, path: string, name: string): string | undefined {
  const whole = dirname(path) === store.layout.storeDir ? parseObjectPath(basename(path)) : undefined;
  return whole?.name === name ? byContentName(whole) : undefined;
}
