/** `nomia compile-commands [-p DIR] [files…]`: build a compilation database's compiles as names (src/front-end/compile-commands.ts). */
import type { Command } from 'commander';
import { compileCommands } from '../front-end/compile-commands.js';
import { runContext } from '../setup.js';
import { buildAndKeep } from './build-root.js';
import { edgeBuildOptions, runEdgeBuild, type EdgeBuildOptions } from './edge-build.js';
import { ranText } from './ran-counts.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts extends EdgeBuildOptions { p: string }

export function register(program: Command): void {
  edgeBuildOptions(program
    .command('compile-commands')
    .summary('compile the entries of a compile_commands.json as cc:compile names')
    .description('Read the compilation database (compile_commands.json, as CMake with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, Meson or Bear write it) in the build directory -p names, turn each entry into the cc:compile name nomia ninja would make of the same compile (others into sandboxed ninja:command nodes), realize them in one run, and write each object where the compiler would.')
    .argument('[files...]', 'only the entries for these source files (default: every entry)')
    .option('-p <dir>', 'the build directory holding compile_commands.json, or the file itself', '.'), 'compiles', 'compile', 'compile-commands')
    .addHelpText('after', `
Examples:
  cmake -S json-c -B build -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  nomia compile-commands -p build
  nomia compile-commands -p build json-c/arraylist.c
  nomia compile-commands -p build --no-out-link   # no .nomia_compile_commands_root: the next nomia gc may take these objects`)
    .action((files: string[], opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        // What the compiles used and made stays for their directory through gc (cli/build-root.ts).
        await buildAndKeep(store, 'compile-commands', (holdIn) => runEdgeBuild(opts, ({ registry, substituters, signal, onEvent, memoKeyOf }) => compileCommands({
          path: opts.p, files, store, registry, context: runContext(), jobs: opts.jobs, onEvent, signal, substituters, memoKeyOf, holdIn,
          ...(opts.toolchain ? { toolchain: opts.toolchain } : {}),
        }), (r, ran) => `compile-commands: ran ${ranText(ran, r.plan.counts, ['compile', 'command'])}; ${r.written} files written in ${r.dir}, ${r.unchanged} up to date\n`), (r) => r.dir, opts.outLink);
        return undefined;
      }),
    })));
}
