/**
 * What a build directory keeps through `nomia gc` (docs/namespaces/ninja.md,
 * "What a build keeps through gc"): after each `nomia ninja` and `nomia
 * compile-commands`, an out-link in the build directory, as nix-build's
 * `result`, to one object that refers to everything the build's plan
 * realized — every edge's output, the toolchain (the default one too), the
 * sources and header trees. Each build replaces it; deleting the directory
 * (or the link) makes the set collectable by the next gc. `--no-out-link`
 * writes none, as nix-build's.
 *
 * No window for a gc: the build's realize holds what it finds and makes in
 * a `Protection` of ours (`RealizeOptions.holdIn`), released only once the
 * link roots it.
 */
import { join, resolve } from 'node:path';
import { Protection } from '../engine/protect.js';
import type { Resource } from '../namespace/types.js';
import { addOutLinkToSet } from '../store/out-link-set.js';
import { entryOf, type Store } from '../store/store.js';
import { BUILD_ROOTS, type BuildCommand } from './edge-build.js';


/**
 * CMake's configure checks: each builds in a scratch directory it deletes right after (`CMakeScratch/TryCompile-…`
 * since CMake 3.24, `CMakeTmp` before). A root there would be dropped by the next gc anyway, and adding
 * one costs a commit per check (tens of milliseconds on a busy disk, some 40 checks per configure).
 */
const SCRATCH = /\/CMakeFiles\/(CMakeScratch|CMakeTmp)(\/|$)/;

/**
 * Point `dir`'s link for `command` at the set of `results` that lie in the store (values are not in it), replacing the
 * last build's. Nothing on a store opened read-only (nothing this process made can be kept there), nor
 * for a build that realized nothing (only effects: the last build's set stays).
 */
async function keepBuild(store: Store, dir: string, command: BuildCommand, results: readonly Resource[]): Promise<void> {
  if (store.db.readOnly || SCRATCH.test(resolve(dir))) return;
  const entries = results.flatMap((r) => (r.kind === 'object' ? [entryOf(store, r.path)] : [])).filter((e): e is string => e !== undefined);
  if (entries.length === 0) return;
  // Held since the realize found them (buildAndKeep), so none can be missing.
  await addOutLinkToSet(store, join(dir, BUILD_ROOTS[command].link), entries, BUILD_ROOTS[command].object);
}

/**
 * Run `build` (a `nomia ninja` or `nomia compile-commands` build, whose realizes hold in the `Protection`
 * it is given), then root its results for its directory (`dirOf`), as `keepBuild`; with `outLink` false
 * (`--no-out-link`) write no link, and leave one an earlier build wrote as it is: the results are held
 * only until the build ends, and the next gc may take them.
 */
export async function buildAndKeep<R extends { readonly results: readonly Resource[] }>(store: Store, command: BuildCommand, build: (holdIn: Protection) => Promise<R>, dirOf: (result: R) => string, outLink = true): Promise<R> {
  const held = new Protection(store);
  try {
    const result = await build(held);
    if (outLink) await keepBuild(store, dirOf(result), command, result.results);
    return result;
  } finally {
    held.release();
  }
}
