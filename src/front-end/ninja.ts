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
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import { Protection } from '../engine/protect.js';
import type { RealizeOptions } from '../engine/realize.js';
import { manifestIn } from './manifest-in.js';
import { translate, type Plan } from '../namespaces/ninja/translate.js';
import type { Resource } from '../resource/types.js';
import { statTree, type TreeState } from '../store/stat-cache.js';
import { realizePlan } from './edge-failure.js';
import { runEffects, type EffectOptions } from './effects.js';
import { placeOutputs, resultsDigest, type Counts, type Placed } from './ninja-outputs.js';
import { layoutOf } from './layout.js';
import { chooseToolchain } from './toolchain.js';
import type { MemoKey } from '../engine/memo.js';
import type { EngineEvent } from '../engine/events.js';
import { inputRecorder, keepInputRecord, readInputRecord } from './ninja-explain.js';
import { checkManifest, DEFAULT_CHECKS, type ManifestChecks } from './ninja-warnings.js';

export { layoutOf };

export interface NinjaOptions extends Omit<RealizeOptions, 'source'> {
  /** The build directory (ninja's `-C`). */
  readonly dir: string;
  /** Targets as ninja takes them (paths relative to the build directory, or phony names); none: the defaults. */
  readonly targets: readonly string[];
  /** The toolchain name every edge runs with; default `configuredToolchain`, else `defaultToolchain` (toolchain.ts). */
  readonly toolchain?: string;
  /** Where the output of the edges that make no file goes (effects.ts); default: discarded. */
  readonly effectStdio?: EffectOptions['stdio'];
  /** ninja's `-w dupbuild=…`, `-w phonycycle=…` (ninja-warnings.ts); default ninja's. */
  readonly checks?: ManifestChecks;
  /** Told each warning of reading the manifest (a repair `checks` allows), in ninja's words; default: none told. */
  readonly warn?: (message: string) => void;
  /** ninja's `-d explain`: given each line that says why an edge runs (ninja-explain.ts), as it starts. */
  readonly explain?: (line: string) => void;
  /** The memo key of a name text of absolute paths as the caller keeps it (the CLI's `realizeMemoKey` with `anyDirectory`): the default toolchain is made exact through it (toolchain-memo.ts). */
  readonly memoKeyOf?: (text: string) => MemoKey | undefined;
}

/** What a build did: the plan's edges by kind, and the outputs written into the build directory and left in place. */
export interface NinjaResult extends Placed {
  readonly counts: Counts;
  /** The edges that made no file and ran on this machine, by their first output (none: an empty list). */
  readonly effects: readonly string[];
  /** What the realized plan gave: every edge's output, the toolchain, the sources and header trees (none when only effects ran); the CLI roots them for the build directory (cli/build-root.ts). */
  readonly results: readonly Resource[];
}


/** The plan of a build (`ninjaPlan`): the targets' edges as one name, and the files it was made from. */
export interface NinjaPlan {
  /** The build directory, absolute. */
  readonly dir: string;
  readonly plan: Plan;
  /** The files the plan was made from, each stat-ed before it was read (the memo holds while they stat the same). */
  readonly read: readonly TreeState[];
  /** A file was read but could not be stat-ed (no clock: a read-only store): no memo can be kept. */
  readonly unstated: boolean;
}

/**
 * The plan for the targets of the ninja manifest in `options.dir`: `build.ninja` read and translated with
 * the toolchain chosen (the default one is made exact on the way). Its `plan.text` is the one name that
 * builds the targets, which `nomia ninja --print-name` prints for `nomia push`.
 */
export async function ninjaPlan(options: NinjaOptions): Promise<NinjaPlan> {
  const dir = resolve(options.dir);
  const read: TreeState[] = [];
  let unstated = false;
  const readStated = (path: string): string => {
    const state = statTree(options.store, path);
    const text = readFileSync(path, 'utf8');
    // Read but not stat-ed (no clock: a read-only store): the memo could not tell when it changes.
    if (state) read.push(state);
    else unstated = true;
    return text;
  };
  const layout = layoutOf(dir, readStated);
  const manifest = checkManifest(manifestIn(dir, readStated), options.checks ?? DEFAULT_CHECKS, options.warn ?? (() => undefined));
  // The build's memo (and its miss) is not the toolchain's.
  const { memo: _memo, memoMissed: _missed, effectStdio: _stdio, memoKeyOf, ...rest } = options;
  const toolchain = await chooseToolchain(manifest, layout, options.toolchain, rest, memoKeyOf);
  read.push(...toolchain.dependsOn);
  return { dir, plan: translate(manifest, layout, toolchain.name, options.targets), read, unstated };
}

/** Build the targets of the ninja manifest in `options.dir` (answered from the memo, `options.memo`, when nothing it was made from changed). */
export async function ninjaBuild(options: NinjaOptions): Promise<NinjaResult> {
  const { dir, plan, read, unstated } = await ninjaPlan(options);
  const { memo, effectStdio, memoKeyOf: _memoKeyOf, explain, ...rest } = options;
  // A build that runs an effect keeps no memo: a no-op answered from it would not run the effect, and ninja runs it every time.
  const keep = memo && !unstated && plan.effects.length === 0;
  // Nothing but effects (CMake's `test` needs no file): no toolchain to realize.
  const edges = plan.decls.some((d) => d.kind !== 'support');
  let succeeded: readonly (Resource | undefined)[] | undefined;
  let results: readonly Resource[] = [];
  // What each node came out as, kept for the next build's -d explain (also after a failure: what was realized).
  const previous = readInputRecord(dir);
  const recorder = inputRecorder(plan, previous, explain);
  const onEvent = (e: EngineEvent) => {
    recorder.listener(e);
    options.onEvent?.(e);
  };
  try {
    if (edges) results = (await realizePlan(plan, dir, { ...rest, onEvent, ...(keep ? { memo, memoDependsOn: read } : {}), onFailedWith: (roots) => void (succeeded = roots) })).roots;
  } catch (e) {
    // As ninja leaves what the edges that succeeded made (with -k, all that needed no failed edge): a user
    // looking at DIR sees them, and the next build, which reuses them from the store, finds them in place.
    if (succeeded) writeResults(options.store, dir, plan, succeeded, false);
    throw e;
  } finally {
    keepInputRecord(dir, previous, recorder.record());
  }
  const placed = edges ? writeResults(options.store, dir, plan, results) : { written: 0, unchanged: 0 };
  await runEffects(plan.effects, dir, { env: options.context.env, stdio: effectStdio ?? 'ignore', ...(options.signal ? { signal: options.signal } : {}) });
  return { counts: plan.counts, ...placed, effects: plan.effects.map((e) => e.outputs[0]!), results };
}

/**
 * Write the results of a realized plan into the build directory `dir`
 * where ninja would (also for `nomia compile-commands`): only files whose
 * result changed, or that were changed or removed in `dir`, are rewritten.
 * @param complete false for the results of a failed build (`RealizeOptions.onFailedWith`): a declaration
 *   without a result is skipped, and the state file keeps no last build for the memo to answer with.
 */
export function writeResults(store: RealizeOptions['store'], dir: string, plan: Plan, roots: readonly (Resource | undefined)[], complete = true): Placed {
  const placed: [string, string][] = [];
  plan.decls.forEach((d, i) => {
    if (d.kind === 'support') return;
    const root = roots[i];
    if (!root && !complete) return;
    if (!root || root.kind !== 'object') throw new NomiaError('namespace/contract', `the plan's result ${i} is not a file or tree`);
    if (d.kind === 'file') placed.push([d.path, root.path]);
    else for (const p of d.paths) placed.push([p, join(root.path, p)]);
  });
  const results = roots.filter((r): r is Resource => r !== undefined);
  // The realize held its results until it returned; they are held again while any is copied (against a gc).
  const protection = new Protection(store);
  try {
    const done = placeOutputs(resolve(dir), { results: resultsDigest(results), counts: plan.counts, placed }, () => protection.hold(results), complete);
    if (!done) throw new NomiaError('realize/failed', `a result left the store before it was written into ${dir}`, { hint: 'build again (a gc ran meanwhile)' });
    return done;
  } finally {
    protection.release();
  }
}
