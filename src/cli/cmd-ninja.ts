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
import { edgeBuildOptions, runEdgeBuild, withEdgeSetup, type EdgeBuildOptions } from './edge-build.js';
import { realizeMemoKey } from './realize-memo.js';
import { ranText } from './ran-counts.js';
import { run } from './run.js';
import { withStore } from './store-options.js';
import type { NinjaDryRun } from '../front-end/ninja-dry-run.js';
import { collectDebug, collectWarning, DEBUG_LIST, parseLoad, WARNING_LIST } from './ninja-flags.js';
import { statsCounter } from './ninja-stats.js';
import { checksOf } from '../front-end/ninja-warnings.js';
import type { MemoMiss } from '../engine/memo.js';
import type { Carried } from './main.js';

interface Opts extends EdgeBuildOptions { dir: string; tool?: string; version?: boolean; verbose?: boolean; memo: boolean; printName?: boolean; n?: boolean; l?: number; w?: string[]; d?: string[] }

/** The ninja version printed for `--version`: CMake checks it before it generates for ninja. */
const NINJA_VERSION = '1.11.1';

export function register(program: Command, carried: Carried = {}): void {
  edgeBuildOptions(program
    .command('ninja')
    .summary('build a build.ninja (CMake, Meson) as names: a drop-in for ninja')
    .description('Read DIR/build.ninja, turn each edge the targets need into a name (compiles into cc:compile, archives into cc:archive, links into cc:link, other edges into sandboxed ninja:command nodes), realize them, and write the outputs into DIR where ninja would. An edge that makes no file (CMake\'s test, install, add_custom_target commands) is no name: it runs on this machine, in DIR, every time it is asked for, as ninja runs it.')
    .argument('[targets...]', 'targets to build (default: the manifest\'s defaults)')
    .option('-C <dir>', 'change to DIR before doing anything else', '.'), 'edges', 'edge', 'ninja')
    .option('-t <tool>', 'run a ninja tool, answered from the manifest as ninja does (its arguments follow as targets): targets [depth N | all | rule [NAME]], query TARGET…, commands [TARGET…], inputs [TARGET…], graph [TARGET…] (a dot file), compdb [RULE…], clean [TARGET…] (removes outputs in DIR, nothing in the store); restat, recompact and cleandead (which CMake runs) have nothing to do; deps is refused (no deps log is kept)')
    .option('-k <n>', 'keep going until N edges fail, 0 for never (as ninja\'s -k): what needs no failed edge is still built, kept and written into DIR, as ninja leaves it; default 1', (v: string) => {
      if (!/^\d+$/.test(v)) throw new NomiaError('usage', `-k ${v}: give a number of failures, 0 for no limit`, { hint: 'e.g. nomia ninja -k 0 to build everything that can be built' });
      return Number(v);
    })
    .option('-l <n>', 'do not start a new edge while the load average is N or more and another edge runs, as ninja\'s -l (0: no limit)', parseLoad)
    .option('-w <flag>', 'ninja\'s warning flags, taken as ninja 1.11 takes them: dupbuild=err|warn, phonycycle=err|warn (-w list lists them)', collectWarning)
    .option('-d <mode>', 'debug modes: stats (how many nodes of each kind ran and were reused, and their times), explain (why each edge runs); -d list lists them; keepdepfile and keeprsp are refused (no depfile or response file is written into DIR)', collectDebug)
    .option('-n', 'dry run: print the edges a build would run (those whose names are not recorded in the store or given by a configured cache) as ninja -n does, run none, write nothing into DIR')
    .option('-v, --verbose', 'with -n, print the commands rather than their descriptions, as ninja -v -n does; else accepted for ninja compatibility')
    .option('--no-memo', 'walk every edge even if nothing changed since the last build (no answer from the memo, none kept)')
    .option('--print-name', 'build nothing: print the one name that builds the targets (what nomia push takes: nomia push CACHE "$(nomia ninja --print-name)")')
    .option('--version', 'print the ninja version this stands in for')
    .addHelpText('after', `
Examples:
  cmake -S json-c -B build -G Ninja && nomia ninja -C build
  nomia ninja -C build -j 4 --log-format json json-c
  nomia ninja -C build test                # runs ctest on this machine, as ninja test does
  nomia ninja -C build -t targets all      # ninja's tools: targets, query, commands, inputs, graph, compdb, clean
  nomia ninja -C build --no-out-link       # no .nomia_ninja_root: the next nomia gc may take this build
  nomia ninja -C build -d explain          # why each edge runs: which input's content changed
  nomia ninja -C build -l 4 -d stats       # no new edge while the load is 4 or more; a table of what ran
  nomia push ./cache "$(nomia ninja -C build --print-name)"   # share the build through a binary cache`)
    .action((targets: string[], opts: Opts & { C: string; t?: string }, cmd: Command) => run(() => {
      if (opts.version) return { go: async () => NINJA_VERSION };
      // As ninja: the list on stdout, and status 1 (nothing was built).
      const list = opts.w?.includes('list') ? WARNING_LIST : opts.d?.includes('list') ? DEBUG_LIST : undefined;
      if (list !== undefined) return { go: async () => { process.stdout.write(list); process.exitCode = 1; } };
      const stats = opts.d?.includes('stats') ? statsCounter : undefined;
      // -w dupbuild / phonycycle: how reading the manifest treats what ninja checks; its warnings as ninja words them.
      const read = { checks: checksOf(opts.w), warn: (m: string) => void process.stderr.write(`ninja: warning: ${m}\n`) };
      if (opts.t !== undefined) {
        const tool = opts.t;
        if (['restat', 'recompact', 'cleandead'].includes(tool)) return { go: () => undefined };
        // Written as it is: a tool that lists nothing prints nothing, as ninja's.
        return { go: async () => void process.stdout.write((await import('../front-end/ninja-tools.js')).ninjaToolIn(opts.C, tool, targets, read.checks, read.warn).out) };
      }
      if (opts.printName) {
        return { go: () => withStore(cmd, async (store) => {
          const { ninjaPlan } = await import('../front-end/ninja.js');
          const { runContext } = await import('../setup.js');
          return withEdgeSetup(opts.logFormat, async ({ registry, substituters, signal, onEvent, memoKeyOf }) => (await ninjaPlan({
            dir: opts.C, targets, store, registry, context: runContext(), jobs: opts.jobs, onEvent, signal, substituters, memoKeyOf, ...read,
            ...(opts.toolchain ? { toolchain: opts.toolchain } : {}),
          })).plan.text);
        }) };
      }
      if (opts.n) {
        return { go: () => withStore(cmd, async (store) => {
          const [{ ninjaDryRun }, { runContext }] = await Promise.all([import('../front-end/ninja-dry-run.js'), import('../setup.js')]);
          const r = await runEdgeBuild(opts, ({ registry, substituters, signal, onEvent, memoKeyOf }) => ninjaDryRun({
            dir: opts.C, targets, store, registry, context: runContext(), jobs: opts.jobs, onEvent, signal, substituters, memoKeyOf, ...read,
            ...(opts.toolchain ? { toolchain: opts.toolchain } : {}),
          }), (d, _ran, would) => `ninja: dry run: would run ${ranText(would, d.counts)}${d.effects.length ? `, and ${d.effects.map((e) => e.outputs[0]).join(', ')} (makes no file: run every time)` : ''}; nothing ran, nothing written\n`);
          return dryRunLines(r, opts.verbose === true);
        }) };
      }
      const explain = opts.d?.includes('explain') ? (line: string) => void process.stderr.write(`ninja explain: ${line}\n`) : undefined;
      // Neither -d stats (it reports the walk) nor -w (the memo's key does not hold the checks) uses the memo.
      const key = opts.memo && !stats && !opts.w?.length ? realizeMemoKey(ninjaMemoText(opts.C, targets, opts.toolchain), process.cwd(), NINJA_SANDBOX) : undefined;
      return { go: () => withStore(cmd, async (store) => {
        // Checked once: the lean path's miss is not checked again, here or by the engine (engine/memo.ts, `MemoMiss`).
        let missed: MemoMiss | undefined;
        if (key) {
          const answer = carried.ninjaMiss?.key === key ? { missed: carried.ninjaMiss } : answerNinjaFromMemo(store, key, opts.C, opts.logFormat);
          if (answer === true) return undefined;
          missed = answer.missed;
        }
        const [{ ninjaBuild }, { runContext }, { buildAndKeep }] = await Promise.all([import('../front-end/ninja.js'), import('../setup.js'), import('./build-root.js')]);
        let table: ReturnType<typeof statsCounter> | undefined;
        try {
          // What the build used and made stays for the build directory through gc (cli/build-root.ts).
          await buildAndKeep(store, 'ninja', (holdIn) => runEdgeBuild(opts, ({ registry, substituters, signal, onEvent, memoKeyOf }) => ninjaBuild({
            dir: opts.C, targets, store, registry, context: runContext(), jobs: opts.jobs, ...read, onEvent: stats ? (table = stats(onEvent)).listener : onEvent, signal, substituters, effectStdio: 'inherit', memoKeyOf, holdIn,
            ...(opts.k !== undefined ? { keepGoing: opts.k } : {}), ...(opts.l !== undefined ? { maxLoad: opts.l } : {}), ...(explain ? { explain } : {}), ...(opts.toolchain ? { toolchain: opts.toolchain } : {}), ...(key ? { memo: key } : {}), ...(missed ? { memoMissed: missed } : {}),
          }), ninjaSummary), () => opts.C, opts.outLink);
        } catch (e) {
          // A test or install step that failed: its own exit status is the command's, as a script running ctest would see it.
          if (e instanceof NomiaError && e.code === 'ninja/effect-failed' && 'status' in e && typeof e.status === 'number') process.exitCode = e.status;
          throw e;
        } finally {
          if (table) process.stderr.write(table.report());
        }
        return undefined;
      }) };
    }));
}

/**
 * What ninja -n prints on stdout: `[i/N] description` for each edge that would run (its command with -v,
 * or without a description), or `ninja: no work to do.`
 */
function dryRunLines(r: NinjaDryRun, verbose: boolean): string {
  const all = [...r.edges, ...r.effects];
  if (all.length === 0) return 'ninja: no work to do.';
  return all.map((e, i) => `[${i + 1}/${all.length}] ${(verbose ? undefined : e.bindings['description']) || e.bindings['command'] || e.outputs[0]}`).join('\n');
}
