/**
 * Where a configured project lies on this machine: its source and build
 * directories. A module of its own, without the engine, because the memo
 * check of `nomia ninja` (ninja-memo.ts) needs it before anything is loaded.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Layout } from '../namespaces/ninja/sandbox-paths.js';

/**
 * Where the project's sources are: CMake's cache says, or Meson's
 * `meson-info/meson-info.json` (each read by `read`); else the build
 * directory itself.
 */
export function layoutOf(dir: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): Layout {
  const buildDir = resolve(dir);
  try {
    const cache = read(join(buildDir, 'CMakeCache.txt'));
    const home = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(cache)?.[1];
    const own = /^CMAKE_CACHEFILE_DIR:INTERNAL=(.*)$/m.exec(cache)?.[1];
    return { srcDir: home ?? buildDir, buildDir: own ?? buildDir };
  } catch {
    // Not CMake's: Meson's, or neither.
  }
  try {
    const info = JSON.parse(read(join(buildDir, 'meson-info', 'meson-info.json'))) as { directories?: { source?: unknown; build?: unknown } };
    const { source, build } = info.directories ?? {};
    if (typeof source === 'string') return { srcDir: source, buildDir: typeof build === 'string' ? build : buildDir };
  } catch {
    // Neither: the build directory is all there is.
  }
  return { srcDir: buildDir, buildDir };
}
