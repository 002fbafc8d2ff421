/**
 * The no-op of `nomia ninja`, answered before commander and the command
 * modules load, as realize-lean.ts does for `nomia realize`
 * (docs/namespaces/ninja.md, "No-op"): main.ts calls `ninjaFromMemoLean`
 * first for a command line it recognises here — `ninja` with targets and
 * only `-C`, `-j`/`--jobs`, `--log-format`, `--toolchain`, `-v` and
 * `--no-out-link`, and `--store` before the command word. Anything else (`-t`, `--version`,
 * `--no-memo`, help), and every miss, is left to the full command
 * (cmd-ninja.ts), which then checks the memo again and builds. Errors are
 * the full command's to report: none is reported here, and an answer that
 * failed half-way is given again by the full command (placing the outputs
 * is idempotent).
 */
import { existsSync } from 'node:fs';
import { ninjaMemoText } from '../front-end/ninja-memo.js';
import { layoutOf as storeLayout, storeHome } from '../store/layout.js';
import { pruneTempRoots } from '../store/roots.js';
import { answerNinjaFromMemo, NINJA_SANDBOX } from './ninja-answer.js';
import { parseJobs, parseLogFormat } from './options.js';
import type { LogFormat } from './render-events.js';
import { realizeMemoKey } from './realize-memo.js';
import { handOnStore, openStoreAt } from './store-options.js';
import type { MemoMiss } from '../engine/memo.js';

/** A `nomia ninja` command line this path can answer, taken apart. */
export interface LeanNinja {
  readonly store: string | undefined;
  /** `-C`, default `.` as the full command's. */
  readonly dir: string;
  readonly targets: readonly string[];
  readonly toolchain: string | undefined;
  readonly logFormat: LogFormat;
}

/** Options with a value, by every spelling the full command takes, and where the value goes. */
const valued: Readonly<Record<string, string>> = {
  '--store': 'store', '-C': 'dir', '-j': 'jobs', '--jobs': 'jobs', '--log-format': 'logFormat', '--toolchain': 'toolchain',
};

/**
 * Options without a value that change nothing here: `-v` (ninja compatibility), and `--no-out-link`, since
 * an answer from the memo writes no link anyway (cli/build-root.ts).
 */
const ignored = new Set(['-v', '--verbose', '--no-out-link']);

/**
 * `argv` (without node and script) as a `nomia ninja` this path may answer; undefined for anything else:
 * another command, help, `-t`, `--version`, `--no-memo`, an option given twice or in a form the full
 * command would read differently (`-C DIR` and `--opt=value` only), or a value it refuses.
 */
export function leanNinja(argv: readonly string[]): LeanNinja | undefined {
  const one: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      positional.push(a);
      continue;
    }
    if (ignored.has(a) && positional.length > 0) continue;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const field = valued[flag];
    // Before the command word only the program's own option counts, and only there.
    if ((positional.length === 0) !== (field === 'store')) return undefined;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (field === undefined || value === undefined || field in one) return undefined;
    one[field] = value;
  }
  if (positional[0] !== 'ninja') return undefined;
  try {
    if (one['jobs'] !== undefined) parseJobs('-j')(one['jobs']);
    return {
      store: one['store'], dir: one['dir'] ?? '.', targets: positional.slice(1), toolchain: one['toolchain'],
      logFormat: parseLogFormat(one['logFormat'] ?? 'auto'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Answer `argv` from the memo: `{ status: 0 }` once answered; else what the full command must know (it runs
 * then): the miss as checked, when the memo was checked (engine/memo.ts, `MemoMiss`: the full command and
 * the engine do not check it again), or nothing (not a command line for this path, no store yet, or an
 * error, which the full command reports).
 */
export function ninjaFromMemoLean(argv: readonly string[]): { readonly status: number } | { readonly missed?: MemoMiss } {
  const req = leanNinja(argv);
  if (!req) return {};
  let answer: true | { readonly missed?: MemoMiss } | undefined;
  try {
    const key = realizeMemoKey(ninjaMemoText(req.dir, req.targets, req.toolchain), process.cwd(), NINJA_SANDBOX);
    // A store not made yet holds no memo: the full command creates it, once.
    if (!key || !existsSync(storeLayout(storeHome(req.store)).dbPath)) return {};
    // Tidied only once the memo answers: a miss, which the full command opens the store for again, writes nothing here.
    const store = openStoreAt(req.store, { prune: false });
    try {
      answer = answerNinjaFromMemo(store, key, req.dir, req.logFormat);
      if (answer === true) pruneTempRoots(store);
    } finally {
      // On a miss the full command builds with this store open, rather than opening it again.
      if (answer === true) store.close();
      else handOnStore(storeHome(req.store), store);
    }
  } catch {
    // Once answered, nothing may send the command to the full one, which would answer twice: tidying the
    // temporary roots is then left to the next command that opens the store.
  }
  if (answer === true) return { status: 0 };
  return answer?.missed ? { missed: answer.missed } : {};
}
