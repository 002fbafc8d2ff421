/**
 * Edges that make no file (docs/namespaces/ninja.md, "Edges that make no
 * file"): CMake's `test`, `install`, `edit_cache` and `add_custom_target`
 * commands. ninja runs such an edge every time it is asked for, since its
 * output never appears; it is an effect, not a function of its inputs, so
 * it becomes no name: the front-end runs it on the host, in the build
 * directory, after the names it needs are realized and written.
 *
 * Only what the generator says is taken as such, never a guess from the
 * command: an edge that does make a file stays a name, and is cached.
 */
import type { Edge } from './manifest.js';

/** CMake's utility targets (`test`, `install`, `edit_cache`, …) write `CMakeFiles/<target>.util`, which no command makes. */
const UTILITY_OUTPUT = /(^|\/)CMakeFiles\/[^/]+\.util$/;

/**
 * Whether `edge` makes no file, by what CMake writes: every custom command
 * with a real output gets `restat = 1`, one whose output is SYMBOLIC (the
 * `CMakeFiles/<target>` of `add_custom_target`, a custom command's output
 * marked SYMBOLIC) gets none; and the outputs of its utility targets are
 * `CMakeFiles/<target>.util`. Meson's rule `CUSTOM_COMMAND` sets `restat`
 * for every edge, so none of Meson's is one.
 */
export function isEffect(edge: Edge): boolean {
  if (edge.rule !== 'CUSTOM_COMMAND') return false;
  const outputs = [...edge.outputs, ...edge.implicitOutputs];
  return edge.bindings['restat'] === undefined || outputs.every((o) => UTILITY_OUTPUT.test(o));
}
