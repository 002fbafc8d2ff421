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
import { realizeMemoKey } from './realize-memo.js';
import { eventRenderer, type LogFormat } from './render-events.js';
import { parseJobs, parseLogFormat } from './options.js';
import { ranCounter } from './ran-counts.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { dir: string; jobs: number; logFormat: LogFormat; toolchain?: string; tool?: string; version?: boolean; verbose?: boolean; memo: boolean }

/** The ninja version printed for `--version`: CMake checks it before it generates for ninja. */
const NINJA_VERSION = '1.11.1';

export function register(program: Command): void {
  program
    .command('ninja')
    .summary('build a build.ninja (CMake, Meson) as names: a drop-in for ninja')
    .description('Read DIR/build.ninja, turn each edge the targets need into a name (compiles into cc:compile, archives into cc:archive, links into cc:link, other edges into sandboxed ninja:command nodes), realize them, and write the outputs into DIR where ninja would.')
    .argument('[targets...]', 'targets to build (default: the manifest\'s defaults)')
    .option('-C <dir>', 'change to DIR before doing anything else', '.')
    .option('-j, --jobs <n>', 'edges running at once', parseJobs('-j'), 2)
    .option('--log-format <format>', 'events on stderr: json, plain or auto', parseLogFormat, 'auto' as LogFormat)
    .option('--toolchain <name>', 'the root tree every edge runs in (default: NOMIA_TOOLCHAIN, "toolchain" in nomia.json, else the host\'s own tools the build file names, made exact: deb:host?paths=[…])')
    .option('-t <tool>', 'ninja\'s tools: CMake runs `-t restat`, `-t recompact`, `-t cleandead` after generating; they have nothing to do here')
    .option('-v, --verbose', 'accepted for ninja compatibility')
    .option('--no-memo', 'walk every edge even if nothing changed since the last build (no answer from the memo, none kept)')
    .option('--version', 'print the ninja version this stands in for')
    .addHelpText('after', `
Examples:
  cmake -S json-c -B build -G Ninja && nomia ninja -C build
  nomia ninja -C build -j 4 --log-format json json-c`)
    .action((targets: string[], opts: Opts & { C: string; t?: string }, cmd: Command) => run(() => {
      if (opts.version) return { go: async () => NINJA_VERSION };
      if (opts.t !== undefined) {
        if (!['restat', 'recompact', 'cleandead'].includes(opts.t)) throw new NomiaError('usage', `-t ${opts.t}: nomia ninja has no such tool`, { hint: 'run the real ninja for its tools' });
        return { go: () => undefined };
      }
      const key = opts.memo ? realizeMemoKey(ninjaMemoText(opts.C, targets, opts.toolchain), process.cwd(), NINJA_SANDBOX) : undefined;
      return { go: () => withStore(cmd, async (store) => {
        if (key && answerNinjaFromMemo(store, key, opts.C, opts.logFormat)) return undefined;
        const render = eventRenderer(opts.logFormat);
        try {
          const [{ ninjaBuild }, { withEngine }, { runContext }] = await Promise.all([import('../front-end/ninja.js'), import('./realize-run.js'), import('../setup.js')]);
          const counter = ranCounter(render.listener);
          const r = await withEngine({ sandbox: NINJA_SANDBOX }, ({ registry, substituters, signal }) => ninjaBuild({
            dir: opts.C, targets, store, registry, context: runContext(), jobs: opts.jobs, onEvent: counter.listener, signal, substituters,
            ...(opts.toolchain ? { toolchain: opts.toolchain } : {}), ...(key ? { memo: key } : {}),
          }));
          render.finish();
          if (opts.logFormat !== 'json') process.stderr.write(ninjaSummary(r, counter.ran));
          return undefined;
        } finally {
          render.finish();
        }
      }) };
    }));
}
