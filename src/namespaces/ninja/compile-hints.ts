/**
 * A guess, before a compile run as a command runs, of whether its exact
 * name is recorded already (compile-command.ts): the files one of its last
 * few runs read have the same content now. A guess only picks the order of
 * the work (discovery first, or the compile at once): a wrong one costs a
 * run, never a wrong object. Hints live in the store's
 * `cache/ninja/compile-hints/`, a keyed hint store (namespace/hint-store.ts),
 * one small file per edge (its command, working directory, outputs and
 * toolchain); removing the folder is always safe. Each names the toolchain
 * object it was made with, and `nomia gc` deletes an edge's hints once that
 * is gone (`gcCompileHints`).
 */
import {
  deadHints, fileSha256, hintKey, hintStore, keepHint, readHints, sweepCache, type CacheCollection, type HintStore, type Store,
} from '../../namespace/index.js';
import type { EdgeRun } from './command.js';

/** A file a compile read: its sandbox path and where it is on the host now. */
export interface Read {
  readonly path: string;
  readonly host: string;
}

/** What one run read: each file's sandbox path and sha256. */
type Hint = readonly (readonly [string, string])[];

const isHint = (h: unknown): h is Hint => Array.isArray(h);

const hintsOf = (store: Store): HintStore<Hint> => hintStore(store, 'ninja', 'compile-hints', isHint);

const edgeKey = (edge: EdgeRun) => hintKey([edge.toolchain.name, edge.text, edge.dir, edge.outputs, edge.depfile]);

/** Whether one of the edge's last runs read files with the same content as `view` shows now. */
export function likelyRecorded(store: Store, edge: EdgeRun, view: (path: string) => string | undefined): boolean {
  return readHints(hintsOf(store), edgeKey(edge)).some((h) => h.length > 0 && h.every(([path, hash]) => {
    const host = view(path);
    try {
      return host !== undefined && fileSha256(host) === hash;
    } catch {
      return false;
    }
  }));
}

/** Keep what this run read, for the next guess. */
export function keepReads(store: Store, edge: EdgeRun, read: readonly Read[]): void {
  keepHint(store, hintsOf(store), edgeKey(edge), read.map((r) => [r.path, fileSha256(r.host)] as const), [edge.toolchain.path]);
}

/**
 * Collect the hints whose toolchain is gone (for `nomia gc`, after the store's sweep; `swept`: what it deleted or
 * would delete). Safe while realizes run: a hint deleted under one is a worse guess.
 */
export function gcCompileHints(store: Store, action: 'delete' | 'list-dead', swept?: ReadonlySet<string>): CacheCollection {
  return sweepCache(store.layout.home, deadHints(store, hintsOf(store).dir, swept), action);
}
