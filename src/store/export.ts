/**
 * The export format: store objects with what a bare NAR lacks (their path,
 * so their name; their content hash, which for a self-referring object is
 * taken modulo its own path; their references), as `nix-store --export`
 * carries Nix's. `docs/spec/export.md` is the long form. Built from the
 * NAR's padded strings (nar.ts):
 *
 *   export    = "nomia-export-1" item* u64(0)
 *   item      = u64(1) "object" str(path) str(hash) u64(count) reference*count nar
 *   reference = str(path)
 *
 * `path` is the object's store entry `<hash part>-<name>`, `hash` its content
 * hash in lowercase hex (so `path` is `base32(hash)-name`), the references
 * are the paths of the other objects it refers to in increasing byte order,
 * and `nar` is the object's NAR as stored. Each referenced object comes
 * earlier in the export (or is in the importing store already); an export
 * ends with u64(0).
 */
import { dumpPath, narString as str } from './nar.js';
import { realPath, type Store } from './store.js';
import { NomiaStoreError } from '../errors.js';
import { toHex } from './hash.js';

/** The magic string an export starts with. */
export const EXPORT_MAGIC = 'nomia-export-1';

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(n >>> 0, 0);
  b.writeUInt32LE(Math.floor(n / 0x1_0000_0000), 4);
  return b;
}

/** The bytes that end an export. */
export const EXPORT_END: Buffer = u64(0);

/**
 * An item's bytes up to its NAR: `u64(1) "object" str(path) str(hash) u64(count) reference*count`,
 * `hash` in lowercase hex and `references` (the other objects) in increasing byte order. A binary cache
 * keeps the same bytes as its per-object metadata (docs/spec/cache.md).
 */
export function itemHeader(path: string, hashHex: string, references: readonly string[]): Buffer {
  const refs = [...references].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Buffer.concat([u64(1), str('object'), str(path), str(hashHex), u64(refs.length), ...refs.map(str)]);
}

/** The start of every export: its magic string. */
export function exportMagic(): Buffer {
  return str(EXPORT_MAGIC);
}

/** The references of the registered object `path` to other objects. */
export function otherReferences(store: Store, path: string): string[] {
  return store.db.references(path).filter((r) => r !== path);
}

/** The closure of `paths` (registered objects), each once, every object after the objects it refers to. */
export function closureInOrder(store: Store, paths: readonly string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  // Depth-first with an explicit stack (no recursion limit): an object is emitted once its references are.
  for (const start of paths) {
    const stack: { path: string; refs: string[] }[] = [];
    const enter = (path: string): void => {
      if (state.has(path)) return;
      if (!store.db.object(path)) {
        throw new NomiaStoreError('store/not-found', `${path} is not a registered object`, { hint: 'run `nomia verify`: a reference points to an object that is gone' });
      }
      state.set(path, 'open');
      stack.push({ path, refs: otherReferences(store, path) });
    };
    enter(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = top.refs.shift();
      if (next !== undefined) {
        enter(next);
        continue;
      }
      stack.pop();
      state.set(top.path, 'done');
      order.push(top.path);
    }
  }
  return order;
}

/**
 * Write the objects `paths` and their closure as an export to `sink`
 * (synchronously; the chunk passed may be reused after the call returns).
 * Returns the object paths written, in order.
 */
export async function exportObjects(store: Store, paths: readonly string[], sink: (chunk: Buffer) => void): Promise<string[]> {
  const order = closureInOrder(store, paths);
  sink(exportMagic());
  for (const path of order) {
    sink(itemHeader(path, toHex(store.db.object(path)!.hash), otherReferences(store, path)));
    await dumpPath(realPath(store, path), sink);
  }
  sink(EXPORT_END);
  return order;
}
