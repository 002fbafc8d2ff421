/**
 * What the store records of objects (`nix path-info`): content hash, NAR
 * size and references, with `recursive` their whole closure, and with
 * `closureSize` the size of each one's closure.
 *
 * Sizes are NAR sizes, as Nix's `narSize` and `closureSize` are: the length
 * of the object serialized as a NAR (`nix-store --dump | wc -c`), the same on
 * every machine. Disk usage (`du`) depends on the file system's blocks and
 * is not what the store records.
 */
import { NomiaStoreError } from '../../errors.js';
import { closure } from '../closure.js';
import type { ContentHash } from '../hash.js';
import type { Store } from '../store.js';

/** One object's record. */
export interface PathInfo {
  /** The store entry, `<base32 hash>-<name>`. */
  readonly path: string;
  readonly name: string;
  /** SHA-256 of the object's NAR. */
  readonly hash: ContentHash;
  /** Bytes of the object's NAR. */
  readonly narSize: number;
  /** The store entries it refers to, sorted (itself included when it refers to itself). */
  readonly references: readonly string[];
  /** Bytes of the NARs of its whole closure (itself included); only when asked for. */
  readonly closureSize?: number;
}

export interface PathInfoOptions {
  /** Report every object of the closure of `paths`, not only them. */
  readonly recursive?: boolean;
  /** Add each object's `closureSize`. */
  readonly closureSize?: boolean;
}

/**
 * The records of `paths` (store entries), in sorted order, each once.
 * Throws `store/not-found` for an entry that is not registered.
 */
export function pathInfo(store: Store, paths: readonly string[], options: PathInfoOptions = {}): PathInfo[] {
  const wanted = options.recursive ? closure(store, paths) : [...new Set(paths)].sort();
  const rows = new Map(wanted.map((p) => [p, registered(store, p)]));
  const references = new Map(wanted.map((p) => [p, store.db.references(p)]));
  const refsOf = (p: string): readonly string[] => references.get(p) ?? store.db.references(p);
  const sizeOf = (p: string): number => (rows.get(p) ?? registered(store, p)).narSize;
  // Each object's closure walked on its own, as Nix does: closures of a DAG share too much to add up.
  const closureSize = (p: string): number => {
    const seen = new Set([p]);
    const todo = [p];
    let sum = 0;
    while (todo.length) {
      const q = todo.pop()!;
      sum += sizeOf(q);
      for (const r of refsOf(q)) {
        if (seen.has(r)) continue;
        seen.add(r);
        todo.push(r);
      }
    }
    return sum;
  };
  return wanted.map((p) => {
    const row = rows.get(p)!;
    return {
      path: row.path, name: row.name, hash: row.hash, narSize: row.narSize, references: references.get(p)!,
      ...(options.closureSize ? { closureSize: closureSize(p) } : {}),
    };
  });
}

function registered(store: Store, path: string) {
  const row = store.db.object(path);
  if (!row) {
    throw new NomiaStoreError('store/not-found', `${path} is not registered in the store ${store.layout.home}`, {
      hint: 'gc may have collected it, or a reference was recorded without its object: `nomia verify` checks the store',
    });
  }
  return row;
}
