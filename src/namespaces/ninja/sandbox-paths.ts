/**
 * Where a project lies on this machine, and where its paths go in the
 * sandbox: the source directory at `/src`, the build directory at `/build`
 * or inside `/src` (docs/namespaces/ninja.md, "Other edges").
 */
import { posix } from 'node:path';

/** Where the project lies on this machine. */
export interface Layout {
  /** The source directory, absolute (CMake's `-S`). */
  readonly srcDir: string;
  /** The build directory, absolute (where build.ninja is). */
  readonly buildDir: string;
}

/** `p` relative to the build directory when it lies in it, normalized. */
export function key(layout: Layout, p: string): string {
  const n = posix.normalize(p);
  if (n.startsWith(`${layout.buildDir}/`)) return n.slice(layout.buildDir.length + 1);
  return n.replace(/^\.\//, '');
}

/** A boundary-respecting pattern for a directory at the start of a path. */
const dirPattern = (dir: string) => new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[\\s:;'",=])`, 'g');

/**
 * Where the build directory is in the sandbox: `/src/<its path in the
 * source directory>` when it lies inside the source directory (as Meson's
 * usually does), so that `../src/a.c` from it names in the sandbox what it
 * names on the host; else `/build`.
 */
export function sandboxBuildDir(layout: Layout): string {
  const rel = posix.relative(layout.srcDir, layout.buildDir);
  return rel !== '' && !rel.startsWith('..') && !posix.isAbsolute(rel) ? `/src/${rel}` : '/build';
}

/**
 * A run path written into the output (`-Wl,-rpath,…`, `-Wl,-rpath=…`, `-Wl,-R…`): where the program will look at
 * run time, on this machine, so it stays as ninja writes it (ninja's file holds it). Not `-Wl,-rpath-link,…`, which
 * only tells the linker where to look while it links, and leaves nothing in the output.
 */
const RUN_PATH_WORD = /(-Wl,(?:-rpath[,=]|-R)\S*)/;

/**
 * The command with the source and build directories replaced by `/src` and
 * the sandbox build directory, at directory boundaries, except in a run
 * path (`RUN_PATH_WORD`).
 */
export function mapCommand(command: string, layout: Layout): string {
  const dirs = [[layout.buildDir, sandboxBuildDir(layout)], [layout.srcDir, '/src']].sort((a, b) => b[0]!.length - a[0]!.length);
  return command.split(RUN_PATH_WORD).map((part, i) => (i % 2 === 1 ? part : dirs.reduce((s, [from, to]) => s.replace(dirPattern(from!), to!), part))).join('');
}

/** The sandbox path of an input (relative to the build directory, or absolute). */
export function sandboxPath(layout: Layout, p: string): string {
  if (!p.startsWith('/')) return posix.join(sandboxBuildDir(layout), p);
  return mapCommand(p, layout);
}
