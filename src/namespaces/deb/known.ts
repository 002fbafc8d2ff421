/**
 * Which package files' trees are in the store: `cache/deb/known/<sha256>`
 * holds the object path a `.deb` was unpacked into. A hint only (the
 * engine's records decide what a name is): it spares a closure downloading
 * again what its exact names will find in the store. A hint whose object
 * has left the store is ignored, and removed by gc (cache-gc.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../namespace/index.js';

/** The hints' directory in the deb cache `root`. */
export function knownRoot(root: string): string {
  return join(root, 'known');
}

/** The object path (relative to store/) a hint names, or undefined without one. */
export function knownObject(root: string, sha256: string): string | undefined {
  try {
    return readFileSync(join(knownRoot(root), sha256), 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the tree of the package file `sha256` was stored and is still there. */
export function isKnown(store: Store, root: string, sha256: string): boolean {
  const object = knownObject(root, sha256);
  return object !== undefined && object !== '' && existsSync(join(store.layout.storeDir, object));
}

/** Remember that the package file `sha256` was unpacked into the object at `path` (a path in the store). */
export function recordKnown(store: Store, root: string, sha256: string, path: string): void {
  mkdirSync(knownRoot(root), { recursive: true });
  writeFileSync(join(knownRoot(root), sha256), path.slice(store.layout.storeDir.length + 1));
}
