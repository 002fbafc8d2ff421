/**
 * `nomia ninja` answered from the memo of whole names (engine/memo.ts,
 * docs/namespaces/ninja.md "No-op"): a build whose every input stats as it
 * did when the memo was kept — build.ninja and the files it includes,
 * CMakeCache.txt, each source, the headers of each include directory, the
 * toolchain chosen — has
 * the results it had, and only the build directory is checked (one `lstat`
 * per output). Nothing is parsed, translated or resolved, and neither the
 * engine nor any namespace is loaded: this module imports only the memo,
 * the store and the output writer. The memo's results are held (against a
 * gc) only when an output has to be copied from them again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkMemo, type MemoKey, type MemoMiss } from '../engine/memo.js';
import { Protection } from '../engine/protect.js';
import type { Store } from '../store/store.js';
import { dpkgStatusPath } from '../namespaces/deb/dpkg-status.js';
import { layoutOf } from './layout.js';
import { placeOutputs, readState, resultsDigest, type Counts, type Placed } from './ninja-outputs.js';

/**
 * The text a build's memo is keyed by (with the caller's configuration, `memoKey`): what decides which
 * plan is made from the files — the build directory, the targets, the toolchain asked for, and whether
 * CMake's cache is there (it says where the sources are; its content is one of the memo's files). It is
 * no name, so no realize of a name text shares its key.
 */
export function ninjaMemoText(dir: string, targets: readonly string[], toolchain: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const abs = resolve(dir);
  // Without --toolchain the toolchain is chosen by NOMIA_TOOLCHAIN or a nomia.json (front-end/toolchain.ts); the
  // working directory's and the user's are in every memo key (cli/realize-memo.ts), the source directory's is here.
  let chosen: unknown = toolchain ?? null;
  if (toolchain === undefined) {
    const projectFile = join(layoutOf(abs).srcDir, 'nomia.json');
    // Whether dpkg's database is there chooses between deb:host and deb:host-files (toolchain.ts).
    chosen = { env: env['NOMIA_TOOLCHAIN'] ?? null, project: existsSync(projectFile) ? readFileSync(projectFile, 'utf8') : null, dpkg: existsSync(dpkgStatusPath(env)) };
  }
  return `#nomia ninja\n${JSON.stringify({ dir: abs, targets, toolchain: chosen, cmakeCache: existsSync(join(abs, 'CMakeCache.txt')) })}`;
}

/** A build answered from the memo: the counts of the plan it was made with, and what checking the build directory did. */
export interface NinjaMemoAnswer extends Placed {
  readonly counts: Counts;
}

/**
 * The build of `dir` from the memo under `key`, with its outputs put back
 * in place where they were changed or removed; undefined when the memo
 * does not hold (a file changed, a result left the store) or the build
 * directory's state file is not the one that build wrote: then build.
 */
export function ninjaFromMemo(store: Store, key: MemoKey, dir: string): NinjaMemoAnswer | { readonly missed?: MemoMiss } {
  const checked = checkMemo(store, key);
  if (checked.missed) return checked;
  const { hit } = checked;
  const abs = resolve(dir);
  const last = readState(abs).state.last;
  // The memo holds but the build directory is not that build's: no miss to pass on, the engine answers from the memo.
  if (!last || last.results !== resultsDigest(hit.results)) return {};
  // The store files are held only when one is copied: a build directory already in place needs none of them.
  const protection = new Protection(store);
  try {
    const placed = placeOutputs(abs, last, () => protection.hold(hit.results));
    return placed ? { counts: last.counts, ...placed } : {};
  } finally {
    protection.release();
  }
}
