/**
 * A guess, before a compile runs, of whether its exact name is likely
 * recorded already (docs/namespaces/cc.md, "One run per compile").
 *
 * Realizing `cc:compile` means its include trees or its source changed.
 * When only a header it does not read changed, discovery alone (a
 * preprocessor pass) finds the recorded exact name and nothing compiles;
 * otherwise the compile itself is the discovery, one run. Which one to
 * start with is guessed from the last compile of the same module (the
 * same toolchain, flags, number of trees and source name): if the source
 * and every header one of its last few compiles laid out (read or probed)
 * have the same content now, and the probed paths it found empty are still
 * empty, the exact name is probably that one (a header changed and changed
 * back, a shadowing header added and removed, find theirs too). A guess only picks the order of the work: a
 * wrong one costs a run, never a wrong object. Hints live in the store's
 * `cache/cc/hints/`, a keyed hint store (namespace/hint-store.ts: a few
 * hundred bytes per module and flag set; removing the folder is always
 * safe). Each names the toolchain object it was made with: `nomia gc`
 * deletes a module's hints once none of theirs is in the store
 * (hints-gc.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileSha256, hintKey, hintStore, keepHint as keep, readHints, type HintStore, type Store } from '../../namespace/index.js';
import type { TreeHeader } from './depfile.js';
import { ReadOnce } from './read-once.js';

/** Which module a hint is about: the parts of a compile that stay when its source or headers change. */
export interface Module {
  readonly toolchain: string;
  readonly args: readonly string[];
  readonly trees: number;
  readonly source: string;
  /** How many of the trees are `-isystem` ones (absent: none). */
  readonly system?: number;
}

/** What one compile read: the source's and each header's sha256, and the probed paths that held nothing. */
export interface Hint {
  readonly src: string;
  readonly headers: readonly (readonly [number, string, string])[];
  readonly absent?: readonly (readonly [number, string])[];
}

const isHint = (h: unknown): h is Hint => typeof (h as Hint | null)?.src === 'string' && Array.isArray((h as Hint).headers);

/** Where the hints of every module are kept. */
export const hintsOf = (store: Store): HintStore<Hint> => hintStore(store, 'cc', 'hints', isHint);

const moduleKey = (m: Module) => hintKey([m.toolchain, m.args, m.trees, m.source, ...(m.system ? [m.system] : [])]);

function sameNow(hint: Hint, trees: readonly string[]): boolean {
  try {
    return hint.headers.every(([tree, path, hash]) => trees[tree] !== undefined && fileSha256(join(trees[tree]!, path)) === hash)
      && (hint.absent ?? []).every(([tree, path]) => trees[tree] !== undefined && !existsSync(join(trees[tree]!, path)));
  } catch {
    return false;
  }
}

/**
 * Whether the module's last compile read the same source and headers as are
 * there now (`src`, the trees' host directories): then its exact name is
 * probably recorded.
 */
export function likelyRecorded(store: Store, m: Module, src: string, trees: readonly string[]): boolean {
  const hints = readHints(hintsOf(store), moduleKey(m));
  if (!hints.length) return false;
  const source = fileSha256(src);
  return hints.some((h) => h.src === source && sameNow(h, trees));
}

/**
 * Keep what this compile with the toolchain at `toolchain` (a store path) read, for the next guess. `files` holds
 * what the compile already read: those bytes are hashed, not read again.
 */
export function keepHint(store: Store, m: Module, toolchain: string, src: string, trees: readonly string[], headers: readonly TreeHeader[], absent: readonly TreeHeader[] = [], files = new ReadOnce()): void {
  const hint: Hint = {
    src: files.sha256(src),
    headers: headers.map((h) => [h.tree, h.path, files.sha256(join(trees[h.tree]!, h.path))] as const),
    ...(absent.length ? { absent: absent.map((h) => [h.tree, h.path] as const) } : {}),
  };
  keep(store, hintsOf(store), moduleKey(m), hint, [toolchain]);
}
