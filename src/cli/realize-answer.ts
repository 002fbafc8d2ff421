/**
 * What `nomia realize` prints and keeps for its results, and its answer
 * from the memo of whole names (engine/memo.ts). Shared by the full
 * command (cmd-realize.ts) and the lean path that answers a no-op before
 * commander, the registry or the engine load (realize-lean.ts): this module
 * imports only the memo, the store's roots and the event renderer.
 */
import { answerFromMemo, type MemoKey, type MemoMiss } from '../engine/memo.js';
import { Protection } from '../engine/protect.js';
import type { Resource } from '../resource/types.js';
import type { Store } from '../store/store.js';
import { keepResults } from './keep-results.js';
import { eventRenderer, type LogFormat } from './render-events.js';
import type { Publisher } from './ui/publish.js';

/** The options of `nomia realize` that decide what is printed and kept. */
export interface ReportOptions {
  readonly logFormat: LogFormat;
  readonly json?: boolean | undefined;
  readonly root?: string | undefined;
  readonly outLink?: string | undefined;
}

export type Renderer = ReturnType<typeof eventRenderer>;

/** The events shown as `--log-format` says, and sent to `live`. */
export function renderer(opts: ReportOptions, live: Publisher): Renderer {
  const shown = eventRenderer(opts.logFormat);
  return { ...shown, listener: live.tee(shown.listener) };
}

/** What realize prints on stdout for `roots`, after keeping them (`--root`, `--out-link`; only these need `store`). */
export function report(store: Store | undefined, roots: readonly Resource[], opts: ReportOptions, finish: () => void): string {
  const keep = { ...(opts.root === undefined ? {} : { root: opts.root }), ...(opts.outLink === undefined ? {} : { outLink: opts.outLink }) };
  const kept = store ? keepResults(store, roots, keep) : [];
  finish();
  if (opts.logFormat !== 'json') for (const line of kept) process.stderr.write(`${line}\n`);
  if (opts.json) return JSON.stringify(roots.map((r) => ({ name: r.name, type: r.type, ...(r.kind === 'object' ? { path: r.path } : { value: r.value }) })), null, 2);
  return roots.map((r) => `${r.name}\n${r.kind === 'object' ? r.path : r.value}`).join('\n');
}

/**
 * The memo's answer for `key` (the text `text`), held until `report` has kept it, with its events sent to
 * the renderer `render` gives (asked for only on a hit): what to print, or the miss when a realize is
 * needed (to pass on: engine/memo.ts, `MemoMiss`).
 */
export async function fromMemo(store: Store, key: MemoKey, text: string, opts: ReportOptions, render: () => Renderer | Promise<Renderer>, beforeHold?: () => void): Promise<{ readonly printed: string } | { readonly missed: MemoMiss }> {
  const started = Date.now();
  const protection = new Protection(store);
  try {
    const { hit, missed } = answerFromMemo(store, key, (rs) => {
      beforeHold?.();
      return protection.hold(rs);
    });
    if (!hit) return { missed };
    const r = await render();
    r.listener({ kind: 'resolving', name: text });
    r.listener({ kind: 'done', roots: hit.results.map((x) => x.name), ms: Date.now() - started, ran: 0, reused: 1, memo: true });
    return { printed: report(store, hit.results, opts, () => r.finish()) };
  } finally {
    protection.release();
  }
}
