/**
 * The no-op of `nomia realize`, answered before commander, the command
 * modules, the registry's namespaces or the engine load (docs/engine.md,
 * "The memo"): main.ts calls `realizeFromMemo` first for a command line it
 * recognises here — `realize` with a NAME, `-` or `-f FILE`, and only the
 * options that change nothing but what is printed or kept (`--store`,
 * `--log-format`, `--json`, `-j`, `--sandbox`, `--trusted-key`, `--root`,
 * `-o`). Anything else, and every miss, is left to the full command, which
 * then does all of it again (standard input is read once: input.ts keeps it).
 * Errors are the full command's to report, so none is reported here.
 *
 * This module imports only what the answer needs: the memo (which loads the
 * store's database and stat code), the key's configuration files, the event
 * renderer and the roots `--root`/`-o` make.
 */
import { existsSync } from 'node:fs';
import type { MemoKey, MemoMiss } from '../engine/memo.js';
import { layoutOf, storeHome } from '../store/layout.js';
import { checkRootName, pruneTempRoots } from '../store/roots.js';
import type { Store } from '../store/store.js';
import { fileOrArgument, type NameInput } from './input.js';
import { leanArgv } from './lean-argv.js';
import { parseJobs, parseLogFormat } from './options.js';
import { fromMemo, renderer, type Renderer, type ReportOptions } from './realize-answer.js';
import { realizeMemoKey } from './realize-memo.js';
import { handOnStore, openStoreAt } from './store-options.js';
import { publishRun, type Publisher } from './ui/publish.js';

/** A `nomia realize` command line this path can answer, taken apart. */
export interface LeanRealize extends ReportOptions {
  readonly store: string | undefined;
  readonly file: string | undefined;
  readonly name: string | undefined;
  readonly sandbox: string;
  readonly trustedKeys: readonly string[];
}

/** Options with a value, by every spelling, and where the value goes. */
const valued: Readonly<Record<string, string>> = {
  '--store': 'store', '-f': 'file', '--file': 'file', '-j': 'jobs', '--jobs': 'jobs', '--log-format': 'logFormat',
  '--sandbox': 'sandbox', '--trusted-key': 'trustedKey', '--root': 'root', '-o': 'outLink', '--out-link': 'outLink',
};

/**
 * `argv` (without node and script) as a realize this path may answer; undefined for anything else (another
 * command, help, a daemon, `--bind`, `--rebuild`, `--check`, `--no-memo`, caches, a value the full command
 * refuses): those go to the full command.
 */
export function leanRealize(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LeanRealize | undefined {
  if (env['NOMIA_DAEMON']) return undefined;
  const taken = leanArgv(argv, valued, 'trustedKey');
  if (!taken) return undefined;
  const { one, many: trustedKeys, positional, json } = taken;
  if (positional[0] !== 'realize' || positional.length > 2) return undefined;
  const sandbox = one['sandbox'] ?? 'bubblewrap';
  if (sandbox !== 'bubblewrap' && sandbox !== 'none') return undefined;
  try {
    if (one['jobs'] !== undefined) parseJobs('--jobs')(one['jobs']);
    if (one['root'] !== undefined) checkRootName(one['root']);
    return {
      store: one['store'], file: one['file'], name: positional[1], sandbox, trustedKeys, json,
      logFormat: parseLogFormat(one['logFormat'] ?? 'auto'), root: one['root'], outLink: one['outLink'],
    };
  } catch {
    return undefined;
  }
}

/** A memo this path checked and saw miss, in the store `store` (its home): the full command does not check it again. */
export interface LeanMiss {
  readonly store: string;
  readonly missed: MemoMiss;
}

/** What this path did: answered, with an exit status; or left the realize to the full command, with the miss it saw if it checked. */
export type LeanOutcome = { readonly status: number } | { readonly status?: undefined; readonly missed?: LeanMiss };

/**
 * Answer `argv` from the memo: the exit status once answered (or once an error came after the answer began:
 * it is reported here, as the full command reports it), or no status when the full command must run (not a
 * command line for this path, a miss, or an error before any answer: the full command reports that).
 */
export async function realizeFromMemo(argv: readonly string[]): Promise<LeanOutcome> {
  const req = leanRealize(argv);
  if (!req) return {};
  let input: NameInput;
  let key: MemoKey | undefined;
  let store: Store;
  try {
    input = fileOrArgument(req.file, req.name);
    key = realizeMemoKey(input.text, input.dir ?? process.cwd(), req.sandbox, process.env, req.trustedKeys);
    if (!key) return {};
    // A store not made yet holds no memo: the full command creates it, once.
    if (!existsSync(layoutOf(storeHome(req.store)).dbPath)) return {};
    // Tidied (the temporary roots of exited processes dropped) only once the memo answers: a miss, which
    // the full command then opens the store for again, writes nothing here.
    store = openStoreAt(req.store, { prune: false });
  } catch {
    return {};
  }
  // Every `nomia ui` watching the store sees the answer (docs/views.md); it is told only of a hit.
  let live: Publisher | undefined;
  let shown: Renderer | undefined;
  const show = async () => (shown = renderer(req, (live = await publishRun(storeHome(req.store), input.text))));
  let handed = false;
  try {
    const out = await fromMemo(store, key, input.text, req, show, () => pruneTempRoots(store));
    if ('missed' in out) {
      // The full command realizes with this same store open, rather than opening it again.
      handOnStore(storeHome(req.store), store);
      handed = true;
      return { missed: { store: storeHome(req.store), missed: out.missed } };
    }
    process.stdout.write(out.printed.endsWith('\n') ? out.printed : `${out.printed}\n`);
    return { status: 0 };
  } catch (e) {
    if (!live) return {};
    live.failed(e);
    shown?.finish();
    // Loaded only for an error, as the full command would report it.
    const [{ formatError }, { betterHint }] = await Promise.all([import('./report.js'), import('./hints.js')]);
    process.stderr.write(`${formatError(e, input.label, betterHint(e, input.text))}\n`);
    return { status: 1 };
  } finally {
    if (!handed) store.close();
    await live?.close();
  }
}
