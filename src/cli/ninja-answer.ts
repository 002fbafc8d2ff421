/**
 * What `nomia ninja` prints, shared by the full command (cmd-ninja.ts) and
 * the lean no-op path (ninja-lean.ts), so that an answer from the memo
 * reads the same whichever of them gave it. Loads nothing but the memo
 * check of the front-end and the event renderer.
 */
import { ninjaFromMemo } from '../front-end/ninja-memo.js';
import type { Counts, Placed } from '../front-end/ninja-outputs.js';
import type { MemoKey, MemoMiss } from '../engine/memo.js';
import type { Store } from '../store/store.js';
import { ranText } from './ran-counts.js';
import { eventRenderer, type LogFormat } from './render-events.js';

/** The sandbox every edge runs in (part of the memo's key, as for `nomia realize`). */
export const NINJA_SANDBOX = 'bubblewrap';

/**
 * ninja's summary line, on stderr (not with `--log-format json`); `ran`: what ran of the plan's edges (none: answered
 * from the memo); `effects`: the edges that make no file, which ran on this machine (front-end/effects.ts).
 */
export function ninjaSummary(r: Placed & { readonly counts: Counts; readonly effects?: readonly string[] }, ran?: Counts): string {
  const { compile, archive, link, command } = r.counts;
  const edges = ran ? `ran ${ranText(ran, r.counts)}` : `${compile} compiles, ${archive} archives, ${link} links, ${command} commands (unchanged, answered from the memo)`;
  const effects = r.effects?.length ? `; ran ${r.effects.join(', ')} on this machine (makes no file: run every time, not cached)` : '';
  return `ninja: ${edges}; ${r.written} files written, ${r.unchanged} up to date${effects}\n`;
}

/**
 * Answer the build of `dir` from the memo under `key` (front-end/ninja-memo.ts): its events and summary
 * are rendered and true is returned; else nothing is rendered, and when the memo does not hold its miss
 * is returned, as checked, for the build to pass on (engine/memo.ts, `MemoMiss`).
 */
export function answerNinjaFromMemo(store: Store, key: MemoKey, dir: string, logFormat: LogFormat): true | { readonly missed?: MemoMiss } {
  const started = Date.now();
  const answered = ninjaFromMemo(store, key, dir);
  if (!('counts' in answered)) return answered;
  const render = eventRenderer(logFormat);
  try {
    render.listener({ kind: 'resolving', name: `nomia ninja -C ${dir}` });
    render.listener({ kind: 'done', roots: [], ms: Date.now() - started, ran: 0, reused: 1, memo: true });
  } finally {
    render.finish();
  }
  if (logFormat !== 'json') process.stderr.write(ninjaSummary(answered));
  return true;
}
