/**
 * The realizes of the web view (`nomia ui`): one at a time, started from the
 * page, each event sent to every open page over Server-Sent Events — the
 * same events `nomia realize --log-format json` prints, preceded by the
 * run's nodes and followed by how it ended. A page opened late gets the
 * current (or last) run's events replayed first.
 */
import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../../engine/events.js';
import { realize } from '../../engine/realize.js';
import { NomiaError } from '../../errors.js';
import { flatten } from '../../graph/flatten.js';
import { nodeLabel } from '../../graph/render.js';
import { parseName } from '../../name/parse.js';
import type { Registry } from '../../namespace/registry.js';
import { runContext } from '../../setup.js';
import type { Store } from '../../store/store.js';

/** What the page receives: a run starts (its nodes and their inputs), an engine event, or the run ends. */
export type UiMessage =
  | { readonly kind: 'run'; readonly run: number; readonly name: string; readonly nodes: readonly { readonly id: number; readonly label: string; readonly inputs: readonly number[]; readonly root: boolean }[] }
  | { readonly kind: 'event'; readonly run: number; readonly event: EngineEvent }
  | { readonly kind: 'end'; readonly run: number; readonly ok: boolean; readonly error?: string; readonly results?: readonly string[] };

export class Runs {
  private readonly clients = new Set<ServerResponse>();
  private history: UiMessage[] = [];
  private count = 0;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly store: Store, private readonly registry: Registry, private readonly jobs: number) {}

  /** Keep `res` open as an event stream: the current run's messages so far, then every new one. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': nomia ui\n\n');
    for (const m of this.history) res.write(frame(m));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  private send(m: UiMessage): void {
    this.history.push(m);
    for (const c of this.clients) c.write(frame(m));
  }

  /** Start realizing `text`; its number. A `usage` error if a run is going on or the name is not valid. */
  start(text: string): number {
    if (this.running) throw new NomiaError('usage', 'a realize is already running in this web view', { hint: 'wait for it to end' });
    const graph = flatten(parseName(text), text);
    const run = ++this.count;
    const roots = new Set(graph.roots.map((r) => r.node));
    this.history = [];
    this.send({
      kind: 'run', run, name: text,
      nodes: graph.nodes.map((n) => ({ id: n.id, label: nodeLabel(n), inputs: [...new Set(graph.edges.filter((e) => e.to === n.id).map((e) => e.from.node))], root: roots.has(n.id) })),
    });
    this.running = realize(text, {
      store: this.store, registry: this.registry, context: runContext(), jobs: this.jobs, source: text, signal: this.abort.signal,
      onEvent: (event) => this.send({ kind: 'event', run, event }),
    }).then(
      ({ roots: results }) => this.send({ kind: 'end', run, ok: true, results: results.map((r) => r.name) }),
      (e: unknown) => this.send({ kind: 'end', run, ok: false, error: (e as Error).message }),
    ).finally(() => { this.running = undefined; });
    return run;
  }

  /** Cancel a running realize, wait for it, and end every event stream. */
  async close(): Promise<void> {
    this.abort.abort(new NomiaError('realize/failed', 'the web view was stopped'));
    await this.running;
    for (const c of this.clients) c.end();
  }
}

function frame(m: UiMessage): string {
  return `data: ${JSON.stringify(m)}\n\n`;
}
