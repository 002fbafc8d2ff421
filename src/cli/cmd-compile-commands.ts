/** `nomia compile-commands [-p DIR] [files…]`: build a compilation database's compiles as names (src/front-end/compile-commands.ts). */
import type { Command } from 'commander';
import { compileCommands } from '../front-end/compile-commands.js';
import { runContext } from '../setup.js';
import { withEngine } from './realize-run.js';
import { eventRenderer, type LogFormat } from './render-events.js';
import { parseJobs, parseLogFormat } from './options.js';
import { ranCounter, ranText } from './ran-counts.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { p: string; jobs: number; logFormat: LogFormat; toolchain?: string }

export function register(program: Command): void {
  program
    .command('compile-commands')
    .summary('compile the entries of a compile_commands.json as cc:compile names')
    .description('Read the compilation database (compile_commands.json, as CMake with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, Meson or Bear write it) in the build directory -p names, turn each entry into the cc:compile name nomia ninja would make of the same compile (others into sandboxed ninja:command nodes), realize them in one run, and write each object where the compiler would.')
    .argument('[files...]', 'only the entries for these source files (default: every entry)')
    .option('-p <dir>', 'the build directory holding compile_commands.json, or the file itself', '.')
    .option('-j, --jobs <n>', 'compiles running at once', parseJobs('-j'), 2)
    .option('--log-format <format>', 'events on stderr: json, plain or auto', parseLogFormat, 'auto' as LogFormat)
    .option('--toolchain <name>', 'the root tree every compile runs in (default: NOMIA_TOOLCHAIN, "toolchain" in nomia.json, else the host\'s own compilers the entries name, made exact: deb:host?paths=[…])')
    .addHelpText('after', `
Examples:
  cmake -S json-c -B build -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  nomia compile-commands -p build
  nomia compile-commands -p build json-c/arraylist.c`)
    .action((files: string[], opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const render = eventRenderer(opts.logFormat);
        try {
          const counter = ranCounter(render.listener);
          const r = await withEngine({ sandbox: 'bubblewrap' }, ({ registry, substituters, signal }) => compileCommands({
            path: opts.p, files, store, registry, context: runContext(), jobs: opts.jobs, onEvent: counter.listener, signal, substituters,
            ...(opts.toolchain ? { toolchain: opts.toolchain } : {}),
          }));
          render.finish();
          if (opts.logFormat !== 'json') process.stderr.write(`compile-commands: ran ${ranText(counter.ran, r.plan.counts, ['compile', 'command'])}; ${r.written} files written in ${r.dir}, ${r.unchanged} up to date\n`);
          return undefined;
        } finally {
          render.finish();
        }
      }),
    })));
}
