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
      stack.push({ path, refs: store.db.references(path).filter((r) => r !== path) });
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
  sink(str(EXPORT_MAGIC));
  for (const path of order) {
    const row = store.db.object(path)!;
    const refs = store.db.references(path).filter((r) => r !== path).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    sink(Buffer.concat([u64(1), str('object'), str(path), str(toHex(row.hash)), u64(refs.length), ...refs.map(str)]));
    await dumpPath(realPath(store, path), sink);
  }
  sink(u64(0));
  return order;
}
