/**
 * The references an object's content makes to other registered objects:
 * every object whose hash part (scan.ts) occurs in its NAR. Package builds
 * scan their outputs against what the build could see; what any namespace
 * stores may mention any object (a command run without a sandbox sees the
 * whole store, a symlink may name an object that was no input), so this
 * scan looks for every registered object. A hash part is 52 base32
 * characters of a SHA-256: an accidental match is not a practical concern,
 * and a deliberate one only keeps an object alive.
 */
import { join } from 'node:path';
import { dumpPath } from './nar.js';
import { HashPartScanner, hashPart } from './scan.js';
import type { Store } from './store.js';

/**
 * Windows of an object's content looked up one by one at most; beyond, the whole store's hash parts are
 * read once instead (content with long runs of base32 characters, such as a table of hashes).
 */
const MAX_LOOKUPS = 1024;

/**
 * The registered objects (paths) that the content of the object `path`
 * mentions, itself excluded; with `byPart`, reuse an index of the store
 * (from `hashPartIndex`) across many objects. Without it, every window of
 * the content that could be a hash part is looked up (a range of the
 * objects' primary key): the cost is the content's, not the store's size,
 * which a realize that adds thousands of objects pays once per object.
 */
export async function findReferences(store: Store, path: string, byPart?: ReadonlyMap<string, readonly string[]>): Promise<string[]> {
  const own = hashPart(path);
  const root = join(store.layout.storeDir, path);
  if (!byPart) {
    const windows = new HashPartScanner('any', MAX_LOOKUPS);
    await dumpPath(root, (c) => windows.push(c));
    if (!windows.overflowed) return [...windows.found()].filter((p) => p !== own).flatMap((p) => store.db.objectsWithHashPart(p)).sort();
    byPart = hashPartIndex(store);
  }
  const scan = new HashPartScanner([...byPart.keys()].filter((p) => p !== own));
  await dumpPath(root, (c) => scan.push(c));
  return [...scan.found()].flatMap((p) => byPart.get(p) ?? []).sort();
}

/** Registered object paths by hash part: objects with the same content and other names share one. */
export function hashPartIndex(store: Store): Map<string, string[]> {
  const byPart = new Map<string, string[]>();
  for (const p of store.db.objectPaths()) {
    const part = hashPart(p);
    const list = byPart.get(part);
    if (list) list.push(p);
    else byPart.set(part, [p]);
  }
  return byPart;
}

export interface FoundReferences {
  /** References recorded now (the row lacked them). */
  readonly added: readonly string[];
  /** Objects the content mentions that left the store during the scan: the object refers to something gone. */
  readonly gone: readonly string[];
}

/**
 * Scan the registered object `path` and record the references found that
 * its row lacks. Under the write lock, only references to objects still
 * registered are added (a recorded reference never dangles); the others
 * are reported as `gone`.
 */
export async function recordFoundReferences(store: Store, path: string): Promise<FoundReferences> {
  const found = await findReferences(store, path);
  if (found.length === 0) return { added: [], gone: [] };
  return store.db.immediate(() => {
    const have = new Set(store.db.references(path));
    const missing = found.filter((r) => !have.has(r));
    const added = missing.filter((r) => store.db.object(r));
    store.db.addReferences(path, added);
    return { added, gone: missing.filter((r) => !added.includes(r)) };
  });
}
