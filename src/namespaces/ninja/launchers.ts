/**
 * Compiler launchers in a ninja command: `ccache cc …`, as Meson writes
 * when ccache is installed and CMake with `CMAKE_<LANG>_COMPILER_LAUNCHER`.
 * They are dropped before an edge is recognised or run
 * (docs/namespaces/ninja.md, Launchers): Nomia is the cache, and in the
 * sandbox they could only run the compiler they wrap.
 *
 * Only launchers whose output is, by design, the wrapped compiler's output
 * are dropped: the caches ccache, sccache and buildcache, and the
 * distributors distcc and icecc, which run the same compiler elsewhere. A
 * wrapper that can change the result (`env VAR=…`, a static analyser, a
 * timer that prints) is kept, and the edge runs as written.
 */

import type { Manifest } from './manifest.js';

const LAUNCHER = '(?:\\S*/)?(?:ccache|sccache|buildcache|distcc|icecc)';

/**
 * A launcher word at the start of a simple command (the start of the
 * line, or after `&&`, `||`, `;`, `|` or `(`), followed by the program it
 * wraps (a word that is not an option or an assignment: ccache's own
 * `-o`/`key=value` forms are left alone).
 */
const AT_COMMAND = new RegExp(`(^|&&|\\|\\||[;|(])(\\s*)${LAUNCHER}[ \\t]+(?=[^\\s=-][^\\s=]*(?:\\s|$))`, 'g');

/** `command` without the launchers in front of its simple commands. */
export function dropLaunchers(command: string): string {
  return command.replace(AT_COMMAND, '$1$2');
}

/** The manifest with the launchers dropped from every edge's command. */
export function withoutLaunchers(manifest: Manifest): Manifest {
  const edges = manifest.edges.map((e) => {
    const command = e.bindings['command'];
    return command === undefined || dropLaunchers(command) === command ? e : { ...e, bindings: { ...e.bindings, command: dropLaunchers(command) } };
  });
  return { ...manifest, edges };
}
