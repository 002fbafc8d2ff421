/**
 * The realizes of the web view (`nomia ui`): those started from the page
 * (one at a time) and those other processes publish (listen.ts), each sent
 * to every open page over Server-Sent Events — the same events
 * `nomia realize --log-format json` prints, preceded by the run's nodes and
 * followed by how it ended. The last `KEEP` runs are kept: a page opened
 * late gets them replayed first.
 */
import type { ServerResponse } from 'node:http';
import type { EngineEvent } from '../../engine/events.js';
import { realize } from '../../engine/realize.js';
import { NomiaError } from '../../errors.js';
import { flatten } from '../../graph/flatten.js';
import { nodeLabel } from '../../graph/render.js';
import type { Graph } from '../../graph/types.js';
import { parseName } from '../../name/parse.js';
import type { Registry } from '../../namespace/registry.js';
import { runContext } from '../../setup.js';
import type { Store } from '../../store/store.js';

/** The runs kept for pages opened later; older ones are forgotten (the page keeps what it saw). */
export const KEEP = 20;

/** A node of a run's name (its id in the graph, which is its `node` in the events). */
export interface UiNode { readonly id: number; readonly label: string; readonly inputs: readonly number[]; readonly root: boolean }

/**
 * What the page receives: a run starts (who started it, its name's nodes and their inputs), an engine
 * event (`at`: when the server got it, so that a page opened later shows true running times), or the
 * run ends. `origin` is `page` or `pid N` (a realize in another process).
 */
export type UiMessage =
  | { readonly kind: 'run'; readonly run: number; readonly name: string; readonly origin: string; readonly started: number; readonly nodes: readonly UiNode[] }
  | { readonly kind: 'event'; readonly run: number; readonly at: number; readonly event: EngineEvent }
  | { readonly kind: 'end'; readonly run: number; readonly ok: boolean; readonly error?: string; readonly results?: readonly string[] };

/** How a run ended: its results, or why it failed. */
export type Outcome = { readonly ok: true; readonly results: readonly string[] } | { readonly ok: false; readonly error: string };

function nodesOf(graph: Graph): UiNode[] {
  const roots = new Set(graph.roots.map((r) => r.node));
  return graph.nodes.map((n) => ({ id: n.id, label: nodeLabel(n), inputs: [...new Set(graph.edges.filter((e) => e.to === n.id).map((e) => e.from.node))], root: roots.has(n.id) }));
}

/** The runs a `nomia ui` knows and the pages watching them. */
export class Runs {
  private readonly clients = new Set<ServerResponse>();
  /** The kept runs' messages, oldest run first. */
  private readonly runs = new Map<number, { messages: UiMessage[]; ended: boolean }>();
  private count = 0;
  private fromPage: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly store: Store, private readonly registry: Registry, private readonly jobs: number) {}

  /** Keep `res` open as an event stream: the kept runs' messages so far, then every new one. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': nomia ui\n\n');
    for (const r of this.runs.values()) for (const m of r.messages) res.write(frame(m));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  private send(m: UiMessage): void {
    this.runs.get(m.run)?.messages.push(m);
    for (const c of this.clients) c.write(frame(m));
  }

  /** A new run of `name` (the nodes of `graph` when known); its number. */
  open(name: string, origin: string, graph?: Graph): number {
    const run = ++this.count;
    this.runs.set(run, { messages: [], ended: false });
    // Forget the oldest runs that ended; a live one is kept however many there are.
    for (const [id, r] of this.runs) {
      if (this.runs.size <= KEEP) break;
      if (r.ended) this.runs.delete(id);
    }
    let nodes: UiNode[] = [];
    try {
      nodes = nodesOf(graph ?? flatten(parseName(name), name));
    } catch {
      // A name that does not parse here: its nodes appear with their events (the realize will say why it fails).
    }
    this.send({ kind: 'run', run, name, origin, started: Date.now(), nodes });
    return run;
  }

  /** An event of `run`, sent to the pages; dropped once the run ended. */
  event(run: number, event: EngineEvent): void {
    if (this.runs.get(run)?.ended === false) this.send({ kind: 'event', run, at: Date.now(), event });
  }

  /** `run` ended (only the first call counts). */
  end(run: number, outcome: Outcome): void {
    const r = this.runs.get(run);
    if (!r || r.ended) return;
    this.send({ kind: 'end', run, ...outcome });
    r.ended = true;
  }

  /** Start realizing `text` here, for the page; its number. A `usage` error if one is going on or the name is not valid. */
  start(text: string): number {
    if (this.fromPage) throw new NomiaError('usage', 'a realize started from this page is already running', { hint: 'wait for it to end' });
    const graph = flatten(parseName(text), text);
    const run = this.open(text, 'page', graph);
    this.fromPage = realize(text, {
      store: this.store, registry: this.registry, context: runContext(), jobs: this.jobs, source: text, signal: this.abort.signal,
      onEvent: (event) => this.event(run, event),
    }).then(
      ({ roots }) => this.end(run, { ok: true, results: roots.map((r) => r.name) }),
      (e: unknown) => this.end(run, { ok: false, error: (e as Error).message }),
    ).finally(() => { this.fromPage = undefined; });
    return run;
  }

  /** Cancel a realize started from the page, wait for it, and end every event stream. */
  async close(): Promise<void> {
    this.abort.abort(new NomiaError('realize/failed', 'the web view was stopped'));
    await this.fromPage;
    for (const c of this.clients) c.end();
  }
}

function frame(m: UiMessage): string {
  return `data: ${JSON.stringify(m)}\n\n`;
}
