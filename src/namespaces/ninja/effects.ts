/**
 * Edges that make no file (docs/namespaces/ninja.md, "Edges that make no
 * file"): CMake's `test`, `install`, `edit_cache` and `add_custom_target`
 * commands. ninja runs such an edge every time it is asked for, since its
 * output never appears; it is an effect, not a function of its inputs, so
 * it becomes no name: the front-end runs it on the host, in the build
 * directory, after the names it needs are realized and written.
 *
 * An `add_custom_target` with `BYPRODUCTS` makes files besides its output
 * that never appears: it is a name whose outputs are those files
 * (`symbolicOutputs`), as any custom command that makes files is.
 *
 * Only what the generator says is taken as such, never a guess from the
 * command: an edge that does make a file stays a name, and is cached.
 */
import { posix } from 'node:path';
import type { Edge, Manifest } from './manifest.js';

/** CMake's utility targets (`test`, `install`, `edit_cache`, …) write `CMakeFiles/<target>.util`, which no command makes. */
const UTILITY_OUTPUT = /(^|\/)CMakeFiles\/[^/]+\.util$/;

/**
 * The outputs that are no file: `add_custom_target(T …)`'s `D/CMakeFiles/T`,
 * which CMake marks SYMBOLIC and writes beside the target's alias `build D/T:
 * phony D/CMakeFiles/T [byproducts…]` ("Utility command for T"); by `keyOf`,
 * the caller's spelling of a manifest path. A custom command's own output
 * marked SYMBOLIC has no such alias and is not found here (CMake gives it no
 * `restat`, so `isEffect` takes its edge whole).
 */
export function symbolicOutputs(manifest: Manifest, keyOf: (path: string) => string = (p) => p): ReadonlySet<string> {
  const made = new Set(manifest.edges.filter((e) => e.rule === 'CUSTOM_COMMAND').flatMap((e) => [...e.outputs, ...e.implicitOutputs].map(keyOf)));
  const symbolic = new Set<string>();
  for (const e of manifest.edges) {
    if (e.rule !== 'phony') continue;
    for (const alias of e.outputs.map(keyOf)) {
      const stamp = posix.join(posix.dirname(alias), 'CMakeFiles', posix.basename(alias));
      if (made.has(stamp) && e.inputs.some((i) => keyOf(i) === stamp)) symbolic.add(stamp);
    }
  }
  return symbolic;
}

/**
 * Whether `edge` makes no file, by what CMake writes: every custom command
 * with a real output gets `restat = 1`, one whose output is SYMBOLIC (the
 * `CMakeFiles/<target>` of `add_custom_target`, a custom command's output
 * marked SYMBOLIC) gets none; the outputs of its utility targets are
 * `CMakeFiles/<target>.util`; and an edge whose every output is in
 * `symbolic` (`symbolicOutputs`, by `keyOf`) makes none. Meson's rule
 * `CUSTOM_COMMAND` sets `restat` for every edge, so none of Meson's is one.
 */
export function isEffect(edge: Edge, symbolic: ReadonlySet<string> = new Set(), keyOf: (path: string) => string = (p) => p): boolean {
  if (edge.rule !== 'CUSTOM_COMMAND') return false;
  const outputs = [...edge.outputs, ...edge.implicitOutputs];
  return edge.bindings['restat'] === undefined || outputs.every((o) => UTILITY_OUTPUT.test(o) || symbolic.has(keyOf(o)));
}
