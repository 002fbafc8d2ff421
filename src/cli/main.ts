/** The `nomia` command line: a thin shell over the library, one file per command. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { register as registerAdd } from './cmd-add.js';
import { register as registerFmt } from './cmd-fmt.js';
import { register as registerGc } from './cmd-gc.js';
import { register as registerImport } from './cmd-import.js';
import { register as registerObjects } from './cmd-objects.js';
import { register as registerRoots } from './cmd-roots.js';
import { register as registerVerify } from './cmd-verify.js';
import { register as registerGraph } from './cmd-graph.js';
import { register as registerHash } from './cmd-hash.js';
import { register as registerParse } from './cmd-parse.js';
import { register as registerRealize } from './cmd-realize.js';
import { register as registerReductions } from './cmd-reductions.js';
import { register as registerSpell } from './cmd-spell.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Run the CLI on `argv` (without node and script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('nomia')
    .description('Nomia: names for any resource, composed into graphs, spelled by what determines them.')
    .version(version(), '-V, --version')
    .option('--store <dir>', 'the store directory (default: $NOMIA_HOME, else ~/.local/share/nomia)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerParse(program);
  registerFmt(program);
  registerSpell(program);
  registerGraph(program);
  registerRealize(program);
  registerReductions(program);
  registerAdd(program);
  registerObjects(program);
  registerImport(program);
  registerRoots(program);
  registerGc(program);
  registerVerify(program);
  registerHash(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
