/**
 * `nomia ninja [-C DIR] [-j N] [targets…]`: a drop-in for ninja, each edge a name (src/front-end/ninja.ts).
 *
 * A no-op is answered from the memo (front-end/ninja-memo.ts) before the engine, the registry or any
 * namespace is loaded, as `nomia realize` does (cmd-realize.ts); they are imported on a miss.
 */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { ninjaMemoText } from '../front-end/ninja-memo.js';
import { answerNinjaFromMemo, NINJA_SANDBOX, ninjaSummary } from './ninja-answer.js';
import { edgeBuildOptions, runEdgeBuild, type EdgeBuildOptions } from './edge-build.js';
import { realizeMemoKey } from './realize-memo.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts extends EdgeBuildOptions { dir: string; tool?: string; version?: boolean; verbose?: boolean; memo: boolean }

/** The ninja version printed for `--version`: CMake checks it before it generates for ninja. */
const NINJA_VERSION = '1.11.1';

export function register(program: Command): void {
  edgeBuildOptions(program
    .command('ninja')
    .summary('build a build.ninja (CMake, Meson) as names: a drop-in for ninja')
    .description('Read DIR/build.ninja, turn each edge the targets need into a name (compiles into cc:compile, archives into cc:archive, links into cc:link, other edges into sandboxed ninja:command nodes), realize them, and write the outputs into DIR where ninja would. An edge that makes no file (CMake\'s test, install, add_custom_target commands) is no name: it runs on this machine, in DIR, every time it is asked for, as ninja runs it.')
    .argument('[targets...]', 'targets to build (default: the manifest\'s defaults)')
    .option('-C <dir>', 'change to DIR before doing anything else', '.'), 'edges', 'edge')
    .option('-t <tool>', 'ninja\'s tools: CMake runs `-t restat`, `-t recompact`, `-t cleandead` after generating; they have nothing to do here')
    .option('-v, --verbose', 'accepted for ninja compatibility')
    .option('--no-memo', 'walk every edge even if nothing changed since the last build (no answer from the memo, none kept)')
    .option('--version', 'print the ninja version this stands in for')
    .addHelpText('after', `
Examples:
  cmake -S json-c -B build -G Ninja && nomia ninja -C build
  nomia ninja -C build -j 4 --log-format json json-c
  nomia ninja -C build test                # runs ctest on this machine, as ninja test does`)
    .action((targets: string[], opts: Opts & { C: string; t?: string }, cmd: Command) => run(() => {
      if (opts.version) return { go: async () => NINJA_VERSION };
      if (opts.t !== undefined) {
        if (!['restat', 'recompact', 'cleandead'].includes(opts.t)) throw new NomiaError('usage', `-t ${opts.t}: nomia ninja has no such tool`, { hint: 'run the real ninja for its tools' });
        return { go: () => undefined };
      }
      const key = opts.memo ? realizeMemoKey(ninjaMemoText(opts.C, targets, opts.toolchain), process.cwd(), NINJA_SANDBOX) : undefined;
      return { go: () => withStore(cmd, async (store) => {
        if (key && answerNinjaFromMemo(store, key, opts.C, opts.logFormat)) return undefined;
        const [{ ninjaBuild }, { runContext }, { buildAndKeep }] = await Promise.all([import('../front-end/ninja.js'), import('../setup.js'), import('./build-root.js')]);
        try {
          // What the build used and made stays for the build directory through gc (cli/build-root.ts).
          await buildAndKeep(store, 'ninja', (holdIn) => runEdgeBuild(opts, ({ registry, substituters, signal, onEvent, memoKeyOf }) => ninjaBuild({
            dir: opts.C, targets, store, registry, context: runContext(), jobs: opts.jobs, onEvent, signal, substituters, effectStdio: 'inherit', memoKeyOf, holdIn,
            ...(opts.toolchain ? { toolchain: opts.toolchain } : {}), ...(key ? { memo: key } : {}),
          }), ninjaSummary), () => opts.C);
        } catch (e) {
          // A test or install step that failed: its own exit status is the command's, as a script running ctest would see it.
          if (e instanceof NomiaError && e.code === 'ninja/effect-failed' && 'status' in e && typeof e.status === 'number') process.exitCode = e.status;
          throw e;
        }
        return undefined;
      }) };
    }));
}
