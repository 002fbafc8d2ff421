/**
 * What a build reads from the toolchain besides the programs it runs
 * (docs/namespaces/ninja.md, "Toolchain"): the directories of its `-I`,
 * `-isystem`, `-idirafter`, `-iquote` and `-L` flags, and the library files
 * its links name by absolute path, where they lie where Debian installs
 * (`/usr`, `/lib…`) outside the project. A project configured against the
 * host's libpng (`find_package(PNG)`, pkg-config) compiles with
 * `-isystem /usr/include/libpng16` and links `/usr/lib/<triplet>/libpng.so`:
 * the default toolchain takes the packages that own them (`deb:host`'s
 * `uses`), so the build finds them in the sandbox as it does on the host.
 *
 * gcc's own search directories (`/usr/include`, `/usr/lib/<triplet>`…) are
 * left out: the C library's packages already put what the compiler needs
 * there, and dpkg names hundreds of owners for them.
 */
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import type { Manifest } from '../namespaces/ninja/manifest.js';
import { isToolchainPath } from '../namespaces/ninja/recognise-link.js';
import type { Layout } from '../namespaces/ninja/sandbox-paths.js';
import { splitCommand } from '../namespaces/ninja/shell-words.js';

/** Flags whose value is a directory the build reads, given joined (`-Idir`) or as the next word. */
const DIR_FLAGS = ['-isystem', '-idirafter', '-iquote', '-I', '-L'] as const;

/** A library file named by path (`libz.so`, `libz.so.1`, `libz.a`). */
const LIBRARY = /\/lib[^/]*\.(so(\.\d+)*|a)$/;

/** gcc's standard include and library directories (with a multiarch triplet or not), and the roots of the tree. */
const STANDARD = /^\/(usr\/)?(local\/)?(include|lib|lib32|lib64|libx32)(\/[a-z0-9_]+-linux-gnu[a-z0-9_]*)?$|^\/(usr|usr\/local)?$/;

/** The absolute paths each command of `manifest` reads as directories or library files (unfiltered, normalized). */
function namedPaths(manifest: Manifest): Set<string> {
  const found = new Set<string>();
  for (const edge of manifest.edges) {
    for (const words of splitCommand(edge.bindings['command'] ?? '') ?? []) {
      words.forEach((w, i) => {
        const flag = DIR_FLAGS.find((f) => w.startsWith(f));
        const value = flag === undefined ? (LIBRARY.test(w) ? w : undefined) : w === flag ? words[i + 1] : w.slice(flag.length);
        if (value?.startsWith('/')) found.add(posix.normalize(value).replace(/(.)\/+$/, '$1'));
      });
    }
  }
  return found;
}

/**
 * The toolchain paths the build in `layout` reads, sorted: named by the manifest's commands, under a
 * directory Debian installs into, outside the source and build directories, not one of gcc's standard
 * directories, and present on this host (one that is not fails the build with a message that says so).
 */
export function usedToolchainPaths(manifest: Manifest, layout: Layout): string[] {
  const project = [layout.srcDir, layout.buildDir];
  return [...namedPaths(manifest)].filter((p) => isToolchainPath(p, project) && !STANDARD.test(p) && existsSync(p)).sort();
}
