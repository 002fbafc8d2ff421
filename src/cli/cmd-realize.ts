/**
 * `nomia realize NAME`: make the resources a name names, reusing whatever is known.
 *
 * A no-op is usually answered from the memo of whole names before this
 * module or commander is loaded (realize-lean.ts, called by main.ts); what
 * that path leaves (a daemon, --bind, rare options) is answered from the
 * memo here, and this module imports only the store, the memo and the
 * renderer; the registry, the namespaces and the engine (realize-run.ts)
 * are loaded when the memo cannot answer. A daemon, when one is configured,
 * is asked first (realize-client.ts, loaded only then).
 */
import { Option, type Command } from 'commander';
import { NomiaError } from '../errors.js';
import { Protection } from '../engine/protect.js';
import type { SandboxMode } from '../namespaces/package/sandbox.js';
import { storeHome } from '../store/layout.js';
import { checkRootName } from '../store/roots.js';
import { fileOrArgument } from './input.js';
import type { Carried } from './main.js';
import { fromMemo, renderer, report, type Renderer } from './realize-answer.js';
import type { LeanMiss } from './realize-lean.js';
import { realizeMemoKey } from './realize-memo.js';
import type { LogFormat } from './render-events.js';
import { parseJobs, parseLogFormat } from './options.js';
import { run } from './run.js';
import { withStore } from './store-options.js';
import { publishRun, type Publisher } from './ui/publish.js';

interface Opts {
  file?: string; jobs: number; logFormat: LogFormat; json?: boolean; sandbox: SandboxMode; bind?: string[];
  root?: string; outLink?: string; rebuild?: boolean; check?: boolean;
  substituter?: string[]; trustedKey?: string[]; offline?: boolean; daemon?: string; memo: boolean;
}

// Help lists the namespaces, which needs the registry: loaded up front only when help may be shown
// (commander asks for the text synchronously).
const argv = process.argv.slice(2);
const helping = argv.includes('-h') || argv.includes('--help') || !argv.includes('realize');
const full = helping ? await import('./realize-run.js') : undefined;

/**
 * The daemon's answer (`--daemon`, NOMIA_DAEMON), kept here as asked; undefined when no daemon is
 * configured or none listens, or the options need this process (`--rebuild`, `--check`, caches).
 */
async function fromDaemon(cmd: Command, text: string, cwd: string, opts: Opts, newRenderer: () => Renderer): Promise<string | undefined> {
  const socket = opts.daemon ?? process.env['NOMIA_DAEMON'];
  if (!socket || !opts.memo || opts.rebuild || opts.check || opts.substituter || opts.trustedKey || opts.offline) return undefined;
  // The socket client (node:net) is loaded only when a daemon is configured.
  const { askDaemon } = await import('./realize-client.js');
  const render = newRenderer();
  try {
    const storeDir = (cmd.optsWithGlobals() as { store?: string }).store;
    const roots = await askDaemon({ socket, name: text, sandbox: opts.sandbox, store: storeHome(storeDir), cwd }, render.listener);
    if (!roots) return undefined;
    if (opts.root === undefined && opts.outLink === undefined) return report(undefined, roots, opts, () => render.finish());
    // Kept here, held meanwhile: the daemon may release them as soon as it answered.
    return await withStore(cmd, (store) => {
      const protection = new Protection(store);
      try {
        if (!protection.hold(roots)) throw new NomiaError('realize/failed', 'a result the daemon gave left the store before it could be kept', { hint: 'realize again' });
        return report(store, roots, opts, () => render.finish());
      } finally {
        protection.release();
      }
    });
  } finally {
    render.finish();
  }
}

/**
 * Realize `text` as if in the directory `cwd`: by the daemon, from the memo, or with the engine here.
 * `leanMiss`: the memo the lean path checked in this process; not checked again when it is this key's in this store.
 */
async function realizeHere(cmd: Command, text: string, cwd: string, opts: Opts, live: Publisher, leanMiss: LeanMiss | undefined): Promise<string> {
  const viaDaemon = await fromDaemon(cmd, text, cwd, opts, () => renderer(opts, live));
  if (viaDaemon !== undefined) return viaDaemon;
  // `--rebuild` and `--check` run what the memo would answer; `--no-memo` walks.
  const key = opts.rebuild || opts.check || !opts.memo ? undefined : realizeMemoKey(text, cwd, opts.sandbox, process.env, opts.trustedKey);
  const storeDir = (cmd.optsWithGlobals() as { store?: string }).store;
  const checked = key && leanMiss?.missed.key === key && leanMiss.store === storeHome(storeDir) ? leanMiss.missed : undefined;
  return withStore(cmd, async (store) => {
    const render = renderer(opts, live);
    try {
      const answered = key && !checked ? await fromMemo(store, key, text, opts, () => render) : undefined;
      if (answered && 'printed' in answered) return answered.printed;
      const { realizeFully } = full ?? await import('./realize-run.js');
      const roots = await realizeFully(store, text, { ...opts, cwd }, render.listener, key, checked ?? answered?.missed);
      return report(store, roots, opts, () => render.finish());
    } finally {
      render.finish();
    }
  });
}

export function register(program: Command, carried: Carried = {}): void {
  program
    .command('realize')
    .summary('realize a name: make (or reuse) the resources it names')
    .description('Resolve NAME against the namespaces, realize it backwards from its outputs (reusing recorded reductions, realizing inputs in parallel, re-spelling nodes from refined inputs), and print each result\'s refined name and path. A name realized before whose files are unchanged is answered from the memo (docs/engine.md, "The memo"). While a `nomia ui` runs on the same store, its page shows this realize live (docs/views.md).')
    .argument('[name]', 'the name text, or - for stdin')
    .option('-f, --file <file>', 'read the name from FILE (- for stdin) instead of the NAME argument; it is realized as if run in FILE\'s directory (its relative paths, its nomia.json)')
    .option('-j, --jobs <n>', 'namespaces running at once', parseJobs('--jobs'), 2)
    .option('--log-format <format>', 'events on stderr: json (one JSON object per line), plain, or auto (a live status line on a terminal)', parseLogFormat, 'auto' as LogFormat)
    .option('--json', 'print [{name, type, path | value}] for the results')
    .option('--bind <var=name>', 'bind the resolved-name variable @var to a name (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--root <root-name>', 'keep the results through gc: an absolute root on each (R, R-2, …); `nomia root remove R` drops it')
    .option('-o, --out-link <path>', 'keep the results through gc while a symlink to each exists at PATH (PATH, PATH-2, …), as nix-build\'s ./result')
    .option('--rebuild', 'run the nodes the results come from again, although a result is recorded, and record the new one')
    .addOption(new Option('--check', 'run them again and compare with what is recorded: a difference is an error (not reproducible); the record is kept').conflicts('rebuild'))
    .option('--substituter <url>', 'a binary cache to ask before building (repeatable; also "substituters" in config.json / nomia.json)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--trusted-key <name:base64>', 'a public key whose signed results are used, for every namespace, or NAME:BASE64@deb:*,git:* for those only (repeatable; also "trusted-public-keys")', (v: string, acc: string[] = []) => [...acc, v])
    .option('--offline', 'ask no binary cache')
    .option('--no-memo', 'walk the whole name even if nothing changed since it was realized (no answer from the memo, none kept)')
    .option('--daemon <socket>', 'ask the `nomia daemon` listening on SOCKET (also NOMIA_DAEMON); with none listening there, realize here')
    .option('--sandbox <mode>', 'how package builds run: bubblewrap, or none (no isolation; logged in every build)', (v: string) => {
      if (v !== 'bubblewrap' && v !== 'none') throw new NomiaError('usage', `--sandbox ${v}: use bubblewrap or none`);
      return v as SandboxMode;
    }, 'bubblewrap' as SandboxMode)
    .addHelpText('after', () => `
${full?.namespacesHelp() ?? ''}

Examples:
  nomia realize 'filesystem:import?path=./src'
  nomia realize 'let s = filesystem:import?path=./x in exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $s)'
  nomia realize -f build.nomia      # a name kept in a file (errors point into it)`)
    .action((arg: string | undefined, opts: Opts, cmd: Command) => run(() => {
      if (opts.root !== undefined) checkRootName(opts.root);
      const input = fileOrArgument(opts.file, arg);
      return { input, go: async () => {
        const engine = opts.bind?.length ? full ?? await import('./realize-run.js') : undefined;
        const text = engine && opts.bind ? engine.bound(input.text, opts.bind) : input.text;
        // Every `nomia ui` watching the store sees the events too (docs/views.md).
        const live = await publishRun(storeHome((cmd.optsWithGlobals() as { store?: string }).store), text);
        try {
          return await realizeHere(cmd, text, input.dir ?? process.cwd(), opts, live, carried.realizeMiss);
        } catch (e) {
          live.failed(e);
          throw e;
        } finally {
          await live.close();
        }
      } };
    }));
}
