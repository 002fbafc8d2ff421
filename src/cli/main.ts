/** The `nomia` command line: a thin shell over the library, one file per command. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import type { MemoMiss } from '../engine/memo.js';
import type { LeanMiss } from './realize-lean.js';
import { formatError } from './report.js';
import { version } from './version.js';

/** What an earlier step of this process leaves to a command module: the miss of the lean realize path. */
export interface Carried {
  readonly realizeMiss?: LeanMiss | undefined;
  /** The miss of the lean `nomia ninja` path (ninja-lean.ts), as checked: not checked again. */
  readonly ninjaMiss?: MemoMiss | undefined;
}

type CommandModule = () => Promise<{ register(program: Command, carried: Carried): void }>;

/**
 * Each command module and the command words it registers, in the order help
 * lists them. Only the module of the command being run is imported (all of
 * them for help or an unknown word): start-up time is most of a no-op
 * realize, and `nomia realize` need not load what `nomia gc` needs.
 * To add a command, add its line here.
 */
const commandModules: readonly (readonly [readonly string[], CommandModule])[] = [
  [['parse'], () => import('./cmd-parse.js')],
  [['fmt'], () => import('./cmd-fmt.js')],
  [['spell'], () => import('./cmd-spell.js')],
  [['graph'], () => import('./cmd-graph.js')],
  [['why-depends'], () => import('./cmd-why-depends.js')],
  [['path-info'], () => import('./cmd-path-info.js')],
  [['referrers'], () => import('./cmd-referrers.js')],
  [['rdeps'], () => import('./cmd-rdeps.js')],
  [['diff-closures'], () => import('./cmd-diff-closures.js')],
  [['realize'], () => import('./cmd-realize.js')],
  [['reductions', 'reduce'], () => import('./cmd-reductions.js')],
  [['add'], () => import('./cmd-add.js')],
  [['cat', 'ls', 'path', 'dump'], () => import('./cmd-objects.js')],
  [['import'], () => import('./cmd-import.js')],
  [['export'], () => import('./cmd-export.js')],
  [['push'], () => import('./cmd-push.js')],
  [['key'], () => import('./cmd-key.js')],
  [['roots', 'root'], () => import('./cmd-roots.js')],
  [['gc'], () => import('./cmd-gc.js')],
  [['verify'], () => import('./cmd-verify.js')],
  [['hash'], () => import('./cmd-hash.js')],
  [['bootstrap-tools'], () => import('./cmd-bootstrap.js')],
  [['log'], () => import('./cmd-log.js')],
  [['daemon'], () => import('./cmd-daemon.js')],
  [['up'], () => import('./cmd-up.js')],
  [['status', 'logs', 'down'], () => import('./cmd-services.js')],
  [['ui'], () => import('./cmd-ui.js')],
  [['ninja'], () => import('./cmd-ninja.js')],
  [['compile-commands'], () => import('./cmd-compile-commands.js')],
];

/**
 * Command words whose modules a spare process loads before its command line arrives (cli/spare-main.ts):
 * those run often whose modules are light. Not `realize` (its no-op is the lean path's, loaded; its
 * module, loaded before the command line is known, would load the whole engine for its help: +0.24 s
 * CPU) nor `gc` (+0.36 s): a spare pays for what it loads on every command, used or not.
 */
const PRELOADED = new Set(['parse', 'ninja', 'up', 'status']);

/** Load the common commands' modules and the lean paths now, so that `main` finds them loaded (cli/spare-main.ts). */
export async function preloadCommands(): Promise<void> {
  await Promise.all([
    import('commander'), import('./realize-lean.js'), import('./up-lean.js'), import('./ninja-lean.js'), import('./store-options.js'),
    ...commandModules.filter(([words]) => words.some((w) => PRELOADED.has(w))).map(([, load]) => load()),
  ]);
}

/**
 * Run the CLI on `argv` as the process's one command, as `bin/nomia.js` does: a reader that stops early
 * (`nomia … | head`) is not an error, and the exit status is `main`'s.
 */
export async function runAsProcess(argv: readonly string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = await main(argv);
}

/** The command word of `argv`: its first argument that is neither an option nor the value of `--store`. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--store') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Whether this process has a working directory (it may have been removed under it). */
function hasCwd(): boolean {
  try {
    process.cwd();
    return true;
  } catch {
    return false;
  }
}

/**
 * The width help is wrapped to: the terminal's; when piped (`nomia realize --help | less`), `$COLUMNS`
 * as GNU tools read it, else commander's 80. Help texts are one line per paragraph, wrapped here.
 */
function helpWidth(stream: NodeJS.WriteStream): () => number {
  return () => {
    if (stream.isTTY) return stream.columns;
    const columns = Number(process.env['COLUMNS']);
    return Number.isInteger(columns) && columns > 0 ? columns : 80;
  };
}

/** Run the CLI on `argv` (without node and script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const word = commandWord(argv);
  // A no-op realize is answered before commander and the command modules load (realize-lean.ts): at a
  // tenth of a second for the whole process, their loading would be a good part of it.
  let carried: Carried = {};
  if (word === 'realize' && hasCwd()) {
    const { realizeFromMemo } = await import('./realize-lean.js');
    const outcome = await realizeFromMemo(argv);
    if (outcome.status !== undefined) return outcome.status;
    // The memo it checked is not checked again by the full command (engine/memo.ts, `MemoMiss`).
    carried = { realizeMiss: outcome.missed };
  }
  // Every `nomia up` asks the store's supervisor: one not running starts now, beside the rest of the command.
  // The second `up` of a running service is answered before commander loads (up-lean.ts).
  if (word === 'up' && hasCwd()) {
    const answered = await (await import('./up-lean.js')).upFromMemo(argv);
    if (answered !== undefined) return answered;
  }
  // So is a no-op `nomia ninja` (ninja-lean.ts).
  if (word === 'ninja' && hasCwd()) {
    const { ninjaFromMemoLean } = await import('./ninja-lean.js');
    const answer = ninjaFromMemoLean(argv);
    if ('status' in answer) return answer.status;
    carried = { ninjaMiss: answer.missed };
  }
  try {
    return await fullCommand(argv, word, carried);
  } finally {
    // A store a lean path handed on (store-options.ts) that the command did not take, e.g. after a usage error.
    if (word === 'realize' || word === 'ninja') (await import('./store-options.js')).closeHandedOn();
  }
}

/** Run the command of `argv` (its word `word`) with commander and its command module. */
async function fullCommand(argv: readonly string[], word: string | undefined, carried: Carried): Promise<number> {
  const { Command, CommanderError } = await import('commander');
  const program = new Command('nomia')
    .description('Nomia: names for any resource, composed into graphs, spelled by what determines them.')
    .option('--store <dir>', 'the store directory (default: $NOMIA_HOME, else /var/lib/nomia if you may write or create it, else ~/.local/share/nomia)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ getOutHelpWidth: helpWidth(process.stdout), getErrHelpWidth: helpWidth(process.stderr) })
    .exitOverride();
  // Without a working directory every relative path is meaningless; Node would only say `uv_cwd`.
  if (!hasCwd()) {
    const where = process.env['PWD'] ? ` (${process.env['PWD']})` : '';
    process.stderr.write(`${formatError(new NomiaError('usage', `the working directory${where} no longer exists`, { hint: 'cd to a directory that exists and run the command again' }))}\n`);
    return 1;
  }
  // `nomia ninja --version` is the ninja version CMake asks its make program for (cmd-ninja.ts).
  if (word !== 'ninja') program.version(version(), '-V, --version');
  const wanted = commandModules.filter(([words]) => word !== undefined && words.includes(word));
  // `nomia --version` needs no command; help or an unknown word lists (or suggests) all of them.
  const versionOnly = word === undefined && argv.some((a) => a === '-V' || a === '--version') && !argv.some((a) => a === '-h' || a === '--help');
  const modules = versionOnly ? [] : await Promise.all((wanted.length ? wanted : commandModules).map(([, load]) => load()));
  for (const m of modules) m.register(program, carried);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // An option's value refused while parsing (e.g. `--jobs x`): a usage error, shown like any other.
    if (e instanceof NomiaError) {
      process.stderr.write(`${formatError(e)}\n`);
      return 2;
    }
    throw e;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
