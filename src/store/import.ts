/**
 * Import a NAR stream (e.g. `nomia dump` or `nix-store --dump` output) as a
 * store object. The NAR is checked strictly while it is unpacked into tmp/;
 * a corrupt or truncated one is refused and leaves nothing behind.
 *
 * A NAR carries no path, so a self-referring object (a build output that
 * names its own path) would come in under the plain NAR hash, at another
 * path, its scripts still pointing at the old one: a broken object. So the
 * bytes are watched as they stream by for `<hash part>-<name>`, and an
 * object that proves to refer to itself (its hash modulo that hash part is
 * that hash part) gets its original path back, or is refused when the name
 * asked for is not its own. The export format (export.ts) carries the path
 * and needs none of this.
 */
import { commitObject, withWorkDir, type CommitResult } from './commit.js';
import { NomiaStoreError } from '../errors.js';
import { normalizeTree, syncFileSystem } from './fs-util.js';
import { toBase32, type ContentHash } from './hash.js';
import { ioError } from './layout.js';
import { restoreNar } from './nar.js';
import { hashModulo } from './self-reference.js';
import { checkObjectName } from './store-path.js';
import type { Store } from './store.js';

export interface ImportOptions {
  /** A NAR carries no name; default `imported` (or, for a self-referring object, its own). */
  readonly name?: string;
  readonly references?: readonly string[];
  readonly root?: string;
}

/** Candidates checked for being an object's own hash part, most frequent first. */
const MAX_CANDIDATES = 16;

/** Finds `<52 base32>-<name>` in a byte stream, across chunk boundaries: hash part → name → count. */
class PathWatcher {
  readonly seen = new Map<string, Map<string, number>>();
  private carry = '';

  push(chunk: Uint8Array): void {
    const text = this.carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    // A match must end before the kept tail, which is searched again with the next chunk.
    const keep = Math.min(text.length, 300);
    const limit = text.length - keep;
    for (const m of text.matchAll(/(?<![0-9a-df-np-sv-z])([0-9a-df-np-sv-z]{52})-([A-Za-z0-9+._?=-]{1,211})/g)) {
      if (m.index! + m[0].length > limit && chunk.length > 0) continue;
      const names = this.seen.get(m[1]!) ?? new Map<string, number>();
      names.set(m[2]!, (names.get(m[2]!) ?? 0) + 1);
      this.seen.set(m[1]!, names);
    }
    this.carry = chunk.length > 0 ? text.slice(limit) : '';
  }

  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.push(chunk);
      yield chunk;
    }
    this.push(new Uint8Array(0));
  }
}

const total = (names: Map<string, number>): number => [...names.values()].reduce((a, b) => a + b, 0);

/** The object's own hash part and names, if the tree at `tree` refers to itself by one of the parts seen. */
async function selfReference(tree: string, plain: ContentHash, watcher: PathWatcher) {
  const candidates = [...watcher.seen].filter(([part]) => part !== toBase32(plain)).sort((a, b) => total(b[1]) - total(a[1])).slice(0, MAX_CANDIDATES);
  for (const [part, names] of candidates) {
    const m = await hashModulo(tree, part);
    if (m.selfReferences.length > 0 && toBase32(m.hash) === part) return { hash: m.hash, narSize: m.narSize, part, names };
  }
  return undefined;
}

export async function importNar(store: Store, source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<CommitResult> {
  const asked = options.name === undefined ? undefined : checkObjectName(options.name);
  const watcher = new PathWatcher();
  return withWorkDir(store, async (work, tree) => {
    let restored;
    try {
      restored = await restoreNar(watcher.tap(source), tree);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS') throw ioError(e, tree, 'write into the store');
      throw e;
    }
    normalizeTree(tree);
    let { hash, narSize } = restored;
    let name = asked ?? 'imported';
    const self = await selfReference(tree, hash, watcher);
    if (self) {
      // The names seen after the hash part, most frequent first: a path inside the object ends its name with `/`.
      const own = [...self.names].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length).map(([n]) => n);
      const fits = asked === undefined ? own[0] : own.find((n) => n === asked);
      if (fits === undefined) {
        throw new NomiaStoreError('usage', `this NAR is of an object that refers to its own path ${self.part}-${own[0]}; imported as ${name} it would point at a path that is not its own`, {
          hint: `import it under its own name (--name ${own[0]}), or move it with \`nomia export\` and \`nomia import\`, which carry the name`,
        });
      }
      ({ hash, narSize } = self);
      name = fits;
    }
    if (store.fsync) syncFileSystem(work);
    return commitObject(store, {
      tree, hash, narSize, name,
      ...(options.references ? { references: options.references } : {}),
      ...(options.root !== undefined ? { root: options.root } : {}),
    });
  });
}
