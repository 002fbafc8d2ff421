/**
 * What `nomia ninja` and `nomia compile-commands` share: the options of a
 * build of edges (`-j`, `--log-format`, `--toolchain`) and its run — the
 * events rendered, the edges that ran counted by kind, the engine set up,
 * and a summary line on stderr (not with `--log-format json`). The engine
 * is loaded only when a build runs.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Counts } from '../front-end/ninja-outputs.js';
import type { EngineEvent } from '../engine/events.js';
import type { MemoKey } from '../engine/memo.js';
import { parseJobs, parseLogFormat, parseToolchain } from './options.js';
import { ranCounter } from './ran-counts.js';
import { NINJA_SANDBOX } from './ninja-answer.js';
import type { EngineSetup } from './realize-run.js';
import { realizeMemoKey } from './realize-memo.js';
import { eventRenderer, type LogFormat } from './render-events.js';

/**
 * The out-link each command leaves in its directory (cli/build-root.ts: dot files beside `.nomia_ninja_state`,
 * which CMake and Meson leave alone, and separate, so that neither command's build drops the other's), and
 * the name of the object it points at.
 */
export const BUILD_ROOTS = {
  ninja: { link: '.nomia_ninja_root', object: 'ninja-build' },
  'compile-commands': { link: '.nomia_compile_commands_root', object: 'compile-commands-build' },
} as const;

/** A command that builds edges and roots what they made for its directory. */
export type BuildCommand = keyof typeof BUILD_ROOTS;

/** The options every build of edges takes. */
export interface EdgeBuildOptions {
  readonly jobs: number;
  readonly logFormat: LogFormat;
  readonly toolchain?: string;
  /** False with `--no-out-link`: the build's directory gets no link rooting its results (cli/build-root.ts). */
  readonly outLink: boolean;
  /** ninja's `-k N`: keep going until N edges failed (0: never stop); default 1 (engine `keepGoing`). */
  readonly k?: number;
}

/**
 * ninja's own default for `-j` on a machine of `cpus` processors (its `GuessParallelism`): 2 for one, 3
 * for two, else two more than there are. A drop-in for ninja runs as many commands as ninja would when
 * `cmake --build` or a user gives no `-j`: more than the cores, so one command's start and I/O overlap
 * the others' compiling.
 */
export function ninjaDefaultJobs(cpus = availableParallelism()): number {
  return cpus <= 1 ? 2 : cpus === 2 ? 3 : cpus + 2;
}

/**
 * Add `-j`, `--log-format`, `--toolchain` and `--no-out-link` to `command` (the `root` command's); `jobs` and
 * `toolchain` say what they apply to.
 */
export function edgeBuildOptions(command: Command, jobs: string, toolchain: string, root: BuildCommand): Command {
  return command
    .option('-j, --jobs <n>', `${jobs} running at once (default as ninja's: the processors + 2, 3 on two, 2 on one)`, parseJobs('-j'), ninjaDefaultJobs())
    .option('--log-format <format>', 'events on stderr: json, plain or auto', parseLogFormat, 'auto' as LogFormat)
    .option('--toolchain <name>', `the root tree every ${toolchain} runs in (default: NOMIA_TOOLCHAIN, "toolchain" in nomia.json, else the host's own tools the build file names, made exact: deb:host?paths=[…])`, parseToolchain)
    .option('--no-out-link', `write no ${BUILD_ROOTS[root].link} (as nix-build --no-out-link); that link keeps what the build used and made through nomia gc. Without it the next gc may delete them (and a default toolchain no other build directory keeps), the build's memo with them, and the build after that makes them again; a link an earlier build wrote is left as it is`);
}

/** What a build of edges is given besides the engine: its event listener, and the memo key of a name of absolute paths (the default toolchain's, front-end/toolchain-memo.ts). */
export interface EdgeBuildSetup extends EngineSetup {
  readonly onEvent: (event: EngineEvent) => void;
  readonly memoKeyOf: (text: string) => MemoKey | undefined;
}

/** The key `nomia ninja` and `nomia compile-commands` keep the default toolchain under: the same in every directory, as for `nomia realize` of that name but for the directory. */
const toolchainMemoKey = (text: string) => realizeMemoKey(text, process.cwd(), NINJA_SANDBOX, process.env, [], process.env, true);

/**
 * Run `build` with the engine (bubblewrap), its events rendered as `opts.logFormat` says and counted, then
 * write `summary` of its result and of what ran on stderr.
 */
export async function runEdgeBuild<R>(opts: EdgeBuildOptions, build: (setup: EdgeBuildSetup) => Promise<R>, summary: (result: R, ran: Counts, would: Counts) => string): Promise<R> {
  const render = eventRenderer(opts.logFormat);
  try {
    // Loaded here, not with the command: `nomia ninja` answers a no-op from the memo without the engine.
    const { withEngine } = await import('./realize-run.js');
    const counter = ranCounter(render.listener);
    let r: R;
    try {
      r = await withEngine({ sandbox: 'bubblewrap' }, (setup) => build({ ...setup, onEvent: counter.listener, memoKeyOf: toolchainMemoKey }));
    } catch (e) {
      render.finish();
      // As ninja ends a failed build, with how many failed (more than one only with -k); the first one's error follows.
      if (opts.logFormat !== 'json' && counter.failed > 0) process.stderr.write(`ninja: build stopped: ${counter.failed} edge${counter.failed === 1 ? '' : 's'} failed${counter.failed > 1 ? ', the first one below' : ''}\n`);
      throw e;
    }
    render.finish();
    if (opts.logFormat !== 'json') process.stderr.write(summary(r, counter.ran, counter.would));
    return r;
  } finally {
    render.finish();
  }
}

/**
 * Run `f` with the engine set up as for a build of edges, its events (a default toolchain made exact on
 * the way) rendered as `logFormat` says, with no summary: for what reads a plan without building it.
 */
export async function withEdgeSetup<R>(logFormat: LogFormat, f: (setup: EdgeBuildSetup) => Promise<R>): Promise<R> {
  const render = eventRenderer(logFormat);
  try {
    const { withEngine } = await import('./realize-run.js');
    return await withEngine({ sandbox: 'bubblewrap' }, (setup) => f({ ...setup, onEvent: render.listener, memoKeyOf: toolchainMemoKey }));
  } finally {
    render.finish();
  }
}
