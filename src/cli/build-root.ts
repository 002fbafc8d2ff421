/**
 * What a build directory keeps through `nomia gc` (docs/namespaces/ninja.md,
 * "What a build keeps through gc"): after each `nomia ninja` and `nomia
 * compile-commands`, an out-link in the build directory, as nix-build's
 * `result`, to one object that refers to everything the build's plan
 * realized — every edge's output, the toolchain (the default one too), the
 * sources and header trees. Each build replaces it; deleting the directory
 * (or the link) makes the set collectable by the next gc.
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

/**
 * The out-link each command leaves in its directory (dot files beside `.nomia_ninja_state`, which CMake
 * and Meson leave alone, and separate, so that neither command's build drops the other's), and the name
 * of the object it points at.
 */
export const BUILD_ROOTS = {
  ninja: { link: '.nomia_ninja_root', object: 'ninja-build' },
  'compile-commands': { link: '.nomia_compile_commands_root', object: 'compile-commands-build' },
} as const;

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
async function keepBuild(store: Store, dir: string, command: keyof typeof BUILD_ROOTS, results: readonly Resource[]): Promise<void> {
  if (store.db.readOnly || SCRATCH.test(resolve(dir))) return;
  const entries = results.flatMap((r) => (r.kind === 'object' ? [entryOf(store, r.path)] : [])).filter((e): e is string => e !== undefined);
  if (entries.length === 0) return;
  // Held since the realize found them (buildAndKeep), so none can be missing.
  await addOutLinkToSet(store, join(dir, BUILD_ROOTS[command].link), entries, BUILD_ROOTS[command].object);
}

/**
 * Run `build` (a `nomia ninja` or `nomia compile-commands` build, whose realizes hold in the `Protection`
 * it is given), then root its results for its directory (`dirOf`), as `keepBuild`.
 */
export async function buildAndKeep<R extends { readonly results: readonly Resource[] }>(store: Store, command: keyof typeof BUILD_ROOTS, build: (holdIn: Protection) => Promise<R>, dirOf: (result: R) => string): Promise<R> {
  const held = new Protection(store);
  try {
    const result = await build(held);
    await keepBuild(store, dirOf(result), command, result.results);
    return result;
  } finally {
    held.release();
  }
}
