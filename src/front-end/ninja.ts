/**
 * The ninja front-end (`nomia ninja`, docs/namespaces/ninja.md): read the
 * `build.ninja` in a build directory, turn the edges the targets need into
 * one name (namespaces/ninja/translate.ts), realize it, and write each
 * result where ninja would have written it, so `cmake --build` and ctest
 * find them.
 *
 * It sits above the engine (it realizes names) and below the CLI, which
 * only parses flags and renders events.
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import { realize, type RealizeOptions } from '../engine/realize.js';
import { parseManifest } from '../namespaces/ninja/manifest.js';
import { translate, type Layout, type Plan } from '../namespaces/ninja/translate.js';
import { printValue } from '../name/print.js';
import type { Resource } from '../resource/types.js';

export interface NinjaOptions extends Omit<RealizeOptions, 'source'> {
  /** The build directory (ninja's `-C`). */
  readonly dir: string;
  /** Targets as ninja takes them (paths relative to the build directory, or phony names); none: the defaults. */
  readonly targets: readonly string[];
  /** The toolchain name every edge runs with; default `defaultToolchain`. */
  readonly toolchain?: string;
}

export interface NinjaResult {
  readonly plan: Plan;
  /** Files written into the build directory (changed or new), and those already in place. */
  readonly written: number;
  readonly unchanged: number;
}

/** The state file beside build.ninja: each output written, with the store path and the mtime it was written with. */
const STATE = '.nomia_ninja_state';

/** Where the project's sources are: CMake's cache says, or Meson's `meson-info/meson-info.json`; else the build directory itself. */
export function layoutOf(dir: string): Layout {
  const buildDir = resolve(dir);
  try {
    const cache = readFileSync(join(buildDir, 'CMakeCache.txt'), 'utf8');
    const home = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(cache)?.[1];
    const own = /^CMAKE_CACHEFILE_DIR:INTERNAL=(.*)$/m.exec(cache)?.[1];
    return { srcDir: home ?? buildDir, buildDir: own ?? buildDir };
  } catch {
    // Not CMake's: Meson's, or neither.
  }
  try {
    const info = JSON.parse(readFileSync(join(buildDir, 'meson-info', 'meson-info.json'), 'utf8')) as { directories?: { source?: unknown; build?: unknown } };
    const { source, build } = info.directories ?? {};
    if (typeof source === 'string') return { srcDir: source, buildDir: typeof build === 'string' ? build : buildDir };
  } catch {
    // Neither: the build directory is all there is.
  }
  return { srcDir: buildDir, buildDir };
}

/**
 * The default toolchain: Debian's gcc, libc6-dev and cmake (CMake's edges
 * call `cmake -E`) as a `deb:closure`, plus g++ when a rule runs a C++
 * compiler.
 */
export function defaultToolchain(manifestText: string): string {
  const cxx = /(^|[\s/])(c\+\+|g\+\+)(-\d+)?\s/m.test(manifestText);
  const packages = ['cmake', ...(cxx ? ['g++'] : []), 'gcc', 'libc6-dev'];
  return `deb:closure?packages=[${packages.map((p) => printValue({ kind: 'String', value: p })).join(', ')}]`;
}

type State = Record<string, { readonly from: string; readonly mtimeMs: number }>;

function readState(dir: string): State {
  try {
    return JSON.parse(readFileSync(join(dir, STATE), 'utf8')) as State;
  } catch {
    return {};
  }
}

/** Put the store file `from` at `to` (written beside, then renamed: a reader never sees half a file); true when it changed. */
function place(from: string, to: string, known: State[string] | undefined): boolean {
  if (known && known.from === from) {
    try {
      if (lstatSync(to).mtimeMs === known.mtimeMs) return false;
    } catch {
      // Gone: written again below.
    }
  }
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.nomia-tmp`;
  rmSync(tmp, { force: true });
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), tmp);
  } else {
    copyFileSync(from, tmp);
    // Store files are read-only; ninja's outputs are the user's to change.
    chmodSync(tmp, st.mode & 0o111 ? 0o755 : 0o644);
  }
  if (existsSync(to) && statSync(to).isDirectory()) throw new NomiaError('ninja/unknown-target', `${to} is a directory, where the build writes a file`, { hint: 'remove it and build again' });
  renameSync(tmp, to);
  return true;
}

/** Build the targets of the ninja manifest in `options.dir`. */
export async function ninjaBuild(options: NinjaOptions): Promise<NinjaResult> {
  const layout = layoutOf(options.dir);
  const file = join(resolve(options.dir), 'build.ninja');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new NomiaError('ninja/no-manifest', `no build.ninja in ${resolve(options.dir)}`, { hint: 'configure first: cmake -S SRC -B BUILD -G Ninja, then nomia ninja -C BUILD' });
  }
  const manifest = parseManifest(text, file, (p) => readFileSync(resolve(options.dir, p), 'utf8'));
  const plan = translate(manifest, layout, options.toolchain ?? defaultToolchain(text), options.targets);
  const { roots } = await realize(plan.text, { ...options, source: plan.text });
  return { plan, ...writeResults(options.dir, plan, roots) };
}

/**
 * Write the results of a realized plan into the build directory `dir`
 * where ninja would (also for `nomia compile-commands`): only files whose
 * result changed, or that were changed or removed in `dir`, are rewritten.
 */
export function writeResults(dir: string, plan: Plan, roots: readonly (Resource | undefined)[]): Omit<NinjaResult, 'plan'> {
  const state = readState(resolve(dir));
  const next: State = {};
  let written = 0;
  let unchanged = 0;
  plan.decls.forEach((d, i) => {
    if (d.kind === 'support') return;
    const root = roots[i];
    if (!root || root.kind !== 'object') throw new NomiaError('namespace/contract', `the plan's result ${i} is not a file or tree`);
    const pairs = d.kind === 'file' ? [[d.path, root.path]] : d.paths.map((p) => [p, join(root.path, p)]);
    for (const [rel, from] of pairs) {
      const to = join(resolve(dir), rel!);
      if (place(from!, to, state[rel!])) written++;
      else unchanged++;
      next[rel!] = { from: from!, mtimeMs: lstatSync(to).mtimeMs };
    }
  });
  writeFileSync(join(resolve(dir), STATE), JSON.stringify({ ...state, ...next }));
  return { written, unchanged };
}
