/** `nomia realize NAME`: make the resources a name names, reusing whatever is known. */
import { Option, type Command } from 'commander';
import { NomiaError } from '../errors.js';
import { bindResolved } from '../engine/bind.js';
import { realize } from '../engine/realize.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import { print } from '../name/print.js';
import type { SandboxMode } from '../namespaces/package/sandbox.js';
import { registry, runContext } from '../setup.js';
import { fileOrArgument } from './input.js';
import { eventRenderer, type LogFormat } from './render-events.js';
import { run } from './run.js';
import { keepResults } from './keep-results.js';
import { withStore } from './store-options.js';
import { checkRootName } from '../store/roots.js';
import { cacheSettings } from '../cache/config.js';
import { Substituters } from '../cache/substituters.js';
import { configFiles } from '../namespace/registry.js';

interface Opts {
  file?: string; jobs: number; logFormat: LogFormat; json?: boolean; sandbox: SandboxMode; bind?: string[];
  root?: string; outLink?: string; rebuild?: boolean; check?: boolean;
  substituter?: string[]; trustedKey?: string[]; offline?: boolean;
}

/** The name with each `@var` replaced by the name bound to it (`--bind var=name`). */
function bound(text: string, flags: readonly string[]): string {
  const bindings: Record<string, Name> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    const key = eq > 0 ? f.slice(0, eq).replace(/^@/, '') : '';
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) throw new NomiaError('usage', `--bind ${JSON.stringify(f)} is not \`var=name\``, { hint: "e.g. --bind src='filesystem:import?path=./src'" });
    bindings[key] = parseName(f.slice(eq + 1));
  }
  return print(bindResolved(parseName(text), bindings, text));
}

/** Every namespace id a name may use here: the built-in ones and those configured in nomia.json. */
function namespacesHelp(): string {
  try {
    const reg = registry(process.cwd());
    const ids = reg.ids().sort();
    void reg.close();
    return `Namespaces (built in and from nomia.json): ${ids.join(', ')}`;
  } catch (e) {
    return `Namespaces: (cannot be listed here: ${(e as Error).message})`;
  }
}

export function register(program: Command): void {
  program
    .command('realize')
    .summary('realize a name: make (or reuse) the resources it names')
    .description('Resolve NAME against the namespaces, realize it backwards from its outputs (reusing recorded reductions,\nrealizing inputs in parallel, re-spelling nodes from refined inputs), and print each result\'s refined name and path.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('-f, --file <file>', 'read the name from FILE (- for stdin) instead of the NAME argument')
    .option('-j, --jobs <n>', 'namespaces running at once', (v: string) => {
      if (!/^[1-9]\d*$/.test(v)) throw new NomiaError('usage', `--jobs ${v}: give a positive number`);
      return Number(v);
    }, 2)
    .option('--log-format <format>', 'events on stderr: json (one JSON object per line), plain, or auto (a live status line on a terminal)', (v: string) => {
      if (v !== 'json' && v !== 'plain' && v !== 'auto') throw new NomiaError('usage', `--log-format ${v}: use json, plain or auto`);
      return v as LogFormat;
    }, 'auto' as LogFormat)
    .option('--json', 'print [{name, type, path | value}] for the results')
    .option('--bind <var=name>', 'bind the resolved-name variable @var to a name (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--root <root-name>', 'keep the results through gc: an absolute root on each (R, R-2, …); `nomia root remove R` drops it')
    .option('-o, --out-link <path>', 'keep the results through gc while a symlink to each exists at PATH (PATH, PATH-2, …), as nix-build\'s ./result')
    .option('--rebuild', 'run the nodes the results come from again, although a result is recorded, and record the new one')
    .addOption(new Option('--check', 'run them again and compare with what is recorded: a difference is an error (not reproducible); the record is kept').conflicts('rebuild'))
    .option('--substituter <url>', 'a binary cache to ask before building (repeatable; also "substituters" in config.json / nomia.json)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--trusted-key <name:base64>', 'a public key whose signed results are used, for every namespace, or NAME:BASE64@deb:*,git:* for those only (repeatable; also "trusted-public-keys")', (v: string, acc: string[] = []) => [...acc, v])
    .option('--offline', 'ask no binary cache')
    .option('--sandbox <mode>', 'how package builds run: bubblewrap, or none (no isolation; logged in every build)', (v: string) => {
      if (v !== 'bubblewrap' && v !== 'none') throw new NomiaError('usage', `--sandbox ${v}: use bubblewrap or none`);
      return v as SandboxMode;
    }, 'bubblewrap' as SandboxMode)
    .addHelpText('after', () => `
${namespacesHelp()}

Examples:
  nomia realize 'filesystem:import?path=./src'
  nomia realize 'let s = filesystem:import?path=./x in exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $s)'
  nomia realize -f build.nomia      # a name kept in a file (errors point into it)`)
    .action((arg: string | undefined, opts: Opts, cmd: Command) => run(() => {
      if (opts.root !== undefined) checkRootName(opts.root);
      const input = fileOrArgument(opts.file, arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry(process.cwd(), { sandbox: opts.sandbox, ...(opts.trustedKey ? { trustedKeys: opts.trustedKey } : {}) });
        const render = eventRenderer(opts.logFormat);
        const substituters = new Substituters(cacheSettings(configFiles(process.cwd()), reg.trust, {
          ...(opts.substituter ? { substituters: opts.substituter } : {}), ...(opts.offline ? { offline: true } : {}),
        }));
        // ^C or SIGTERM cancels: running namespaces see the signal (builds are killed), nothing new starts,
        // and the store is left consistent. A second ^C kills at once (the default handler is back).
        const interrupt = new AbortController();
        const onSignal = (sig: NodeJS.Signals) => interrupt.abort(new NomiaError('realize/failed', `interrupted by ${sig}`));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const text = opts.bind?.length ? bound(input.text, opts.bind) : input.text;
          const { roots } = await realize(text, {
            store, registry: reg, context: runContext(), jobs: opts.jobs, onEvent: render.listener, source: text, signal: interrupt.signal, substituters,
            ...(opts.check ? { redo: 'check' as const } : opts.rebuild ? { redo: 'rebuild' as const } : {}),
          });
          if (interrupt.signal.aborted) throw interrupt.signal.reason;
          const kept = keepResults(store, roots, { ...(opts.root === undefined ? {} : { root: opts.root }), ...(opts.outLink === undefined ? {} : { outLink: opts.outLink }) });
          render.finish();
          if (opts.logFormat !== 'json') for (const line of kept) process.stderr.write(`${line}\n`);
          if (opts.json) return JSON.stringify(roots.map((r) => ({ name: r.name, type: r.type, ...(r.kind === 'object' ? { path: r.path } : { value: r.value }) })), null, 2);
          return roots.map((r) => `${r.name}\n${r.kind === 'object' ? r.path : r.value}`).join('\n');
        } catch (e) {
          // What a cancelled namespace throws (an AbortError) is not the story: the interruption is.
          throw interrupt.signal.aborted ? interrupt.signal.reason : e;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          render.finish();
          substituters.close();
          await reg.close();
        }
      }) };
    }));
}
