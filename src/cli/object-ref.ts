/**
 * What store commands accept as NAME: a by-content name
 * (`filesystem:by-content?sha256=…[&name=…][/sub/path]`), a path inside the
 * store (`…/store/<hash>-<name>[/sub/path]`), or a bare hash (hex, Nix base32
 * or SRI). The store itself knows nothing of names (DESIGN.md rule 1): this
 * CLI module translates.
 */
import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { NomiaError } from '../errors.js';
import { parseByContentName } from '../resource/by-content.js';
import type { ObjectRow } from '../store/database.js';
import { tryParseContentHash, type ContentHash } from '../store/hash.js';
import { parseObjectPath } from '../store/store-path.js';
import { requireObject, type Store } from '../store/store.js';

export interface ObjectRef {
  readonly hash: ContentHash;
  readonly name?: string;
  /** Path segments inside the object. */
  readonly projection: readonly string[];
}

export { byContentName } from '../resource/names.js';

export function parseObjectRef(text: string, store: Store): ObjectRef {
  const trimmed = text.trim();
  const bare = tryParseContentHash(trimmed);
  if (bare) return { hash: bare, projection: [] };
  if (trimmed.startsWith('/') || trimmed.startsWith('.')) {
    // A path outside the store may be an out-link (`nomia realize -o result`) or another symlink into it:
    // follow it, as Nix's `path-info ./result` does. A path inside the store is taken as written, so a
    // symlink inside an object stays a path of that object.
    const ref = storePathRef(store, resolve(trimmed)) ?? storePathRef(store, realPath(trimmed));
    if (!ref) {
      throw new NomiaError('usage', `${trimmed} is not a path inside the store ${store.layout.storeDir}`, {
        hint: 'give a by-content name, a hash, a store path, or a symlink to one (an out-link such as ./result)',
      });
    }
    return ref;
  }
  const ref = parseByContentName(trimmed);
  if (!ref) {
    throw new NomiaError('usage', `${trimmed} is not the name of a store object`, {
      hint: 'store commands take `filesystem:by-content?sha256=…[&name=…][/path]` (what `nomia add` prints), a store path or a hash; realizing other names comes with `nomia realize`',
    });
  }
  return ref;
}

/** The object an absolute path inside the store names, with the path below it; undefined outside the store. */
function storePathRef(store: Store, path: string | undefined): ObjectRef | undefined {
  if (path === undefined) return undefined;
  const rel = relative(store.layout.storeDir, path);
  const [entry, ...rest] = rel.split(sep);
  const parsed = entry && !rel.startsWith('..') ? parseObjectPath(entry) : undefined;
  return parsed && { hash: parsed.hash, name: parsed.name, projection: rest.filter((s) => s !== '') };
}

/** The path with every symlink followed, or undefined when it does not exist. */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The registered object a reference names, and the absolute path it projects to. */
export function locate(store: Store, ref: ObjectRef): { object: ObjectRow; path: string } {
  if (ref.projection.some((s) => s === '..' || s === '.' || s === '')) {
    throw new NomiaError('usage', `the path inside the object may not contain \`.\`, \`..\` or empty segments: ${ref.projection.join('/')}`, {
      hint: 'name a path below the object, e.g. NAME/bin/tool',
    });
  }
  const object = requireObject(store, ref.hash, ref.name);
  const path = [store.layout.storeDir, object.path, ...ref.projection].join('/');
  return { object, path };
}
