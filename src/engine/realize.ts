/**
 * Realization (DESIGN.md §7), backwards from the requested outputs:
 *
 * 1. A node that is not tainted is looked up by its static spelling: if a
 *    recorded reduction leads to a resource that is present, it is done and
 *    its inputs are never touched.
 * 2. Else its inputs are realized (in parallel, at most `jobs` namespaces
 *    running at once), the node is re-spelled from the refined names of its
 *    inputs and looked up again: an input that was rebuilt but came out
 *    identical gives the same spelling, so everything downstream is reused
 *    (early cutoff). Contextual nodes always run.
 * 3. Else, holding a lock on that spelling (so concurrent realizes of one
 *    name run it once), the namespace realizes it; the reductions from the
 *    node's spellings to its outputs' refined names are recorded.
 *
 * A cycle is realized as one unit by its namespace (`knots.ts`). Failures
 * are never recorded (STYLE rule 10): they are transient.
 */
import { existsSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import { stronglyConnected } from '../graph/scc.js';
import { sourceSpelling, type Spelling } from '../graph/spell.js';
import { portLabel, type Edge, type Source } from '../graph/types.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import { printSegment } from '../name/print.js';
import type { Registry } from '../namespace/registry.js';
import type { RealizeContext, Resource, RunContext } from '../namespace/types.js';
import { isSubtype } from '../resource/types.js';
import { fsType } from '../namespaces/util.js';
import type { Store } from '../store/store.js';
import type { EngineEvent, EventListener } from './events.js';
import { writeLog } from '../store/logs.js';
import { realizeKnot, type KnotEnv } from './knots.js';
import { acquire } from './locks.js';
import { nodeEvents } from './node-events.js';
import { lookup, materialize, record, spellText } from './reductions.js';
import { lookupGraph, lookupText, recordWholeName, textKey } from './whole-name.js';
import { prepare, resolve, type Prepared, type ResolvedName, type ResolvedNode } from './resolve.js';
import { respell } from './respell.js';

export interface RealizeOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly context: RunContext;
  /** Namespaces running at once; default 2 (this machine's cores). */
  readonly jobs?: number;
  readonly onEvent?: EventListener;
  readonly signal?: AbortSignal;
  /** The name's text, for error excerpts. */
  readonly source?: string;
  /**
   * Refuse names with contextual parts (the caller's files, environment, stdin): set for requests from
   * sandboxed builds, which must not reach the host through the engine.
   */
  readonly pure?: boolean;
}

export interface Realized {
  /** Absent when the whole name was one lookup (a graph-level reduction): nothing was resolved. */
  readonly resolved?: ResolvedName;
  /** One per root of the name, in order. */
  readonly roots: readonly Resource[];
}

type Outputs = Readonly<Record<string, Resource>>;

/** Thrown in nodes that had not started when another failed; never reported as a failure of its own. */
class Cancelled extends Error {}

/** Run at most `n` tasks at once. */
function limiter(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/** A resource seen through a projection `/a/b`. */
function project(r: Resource, projection: readonly string[] | undefined, what: string): Resource {
  if (!projection?.length) return r;
  if (r.kind !== 'object') throw new NomiaError('usage', `cannot take the path /${projection.join('/')} of ${what}: it is a value, not a file or directory`);
  const path = [r.path, ...projection].join('/');
  if (!existsSync(path)) throw new NomiaError('usage', `${what} has no path /${projection.join('/')}`, { hint: `list it with \`nomia ls ${r.name}\`` });
  return { kind: 'object', type: fsType(path), name: r.name + projection.map((s) => `/${printSegment(s)}`).join(''), path };
}

/**
 * Realize a name: given as text (then a name realized before is one lookup
 * without even a parse, see `whole-name.ts`) or parsed (`options.source` is
 * then only used for error excerpts).
 */
export async function realize(name: Name | string, options: RealizeOptions): Promise<Realized> {
  const started = Date.now();
  const emit = (e: EngineEvent) => options.onEvent?.(e);
  const { store, registry } = options;
  const text = typeof name === 'string' ? name : undefined;
  const source = text ?? options.source;
  emit({ kind: 'resolving', name: source ?? '' });
  const wholeNameHit = (found: Resource[]): Realized => {
    emit({ kind: 'done', roots: found.map((r) => r.name), ms: Date.now() - started, ran: 0, reused: 1 });
    return { roots: found };
  };
  // A name realized before is one lookup (DESIGN.md §7, step 4): by its text, before any parse, or by its
  // spelling, before any namespace is described. Only names without contextual parts are ever recorded.
  const key = text === undefined ? undefined : textKey(text, registry);
  if (key !== undefined) {
    const spelling = lookupText(store, key);
    const found = spelling && lookupGraph(store, spelling, registry);
    if (found) return wholeNameHit(found);
  }
  const parsed = typeof name === 'string' ? parseName(name) : name;
  let prepared: Prepared | undefined;
  try {
    prepared = prepare(parsed, registry, source);
  } catch {
    // Resolution below reports it properly.
  }
  if (prepared) {
    const found = lookupGraph(store, prepared.spellings.name, registry);
    if (found) {
      if (key !== undefined) recordWholeName(store, prepared.spellings.name, found, key);
      return wholeNameHit(found);
    }
  }
  const resolved = await resolve(parsed, registry, source, async ({ namespace, request, label }) => {
    const outs = await namespace.realize(request, {}, {
      store, context: options.context, signal: options.signal ?? new AbortController().signal,
      events: { emit: () => undefined }, log: () => undefined, emitReduction: () => undefined,
    });
    const sig = await namespace.describe(request);
    const r = outs[sig.defaultOutput];
    if (!r) throw new NomiaError('usage', `\`${label}\` produced no namespace`);
    return r;
  }, prepared);
  const { nodes } = resolved;
  if (options.pure) {
    const contextual = nodes.find((n) => n.tainted);
    if (contextual) throw new NomiaError('daemon/denied', `\`${contextual.label}\` depends on the caller's context, which this request may not use`, { hint: 'pass the resource as an input of the build instead' });
  }
  // A cycle (resolution let through only those whose namespaces say they tie knots) is realized as one unit.
  const knotOf = new Map<number, ResolvedNode[]>();
  for (const comp of stronglyConnected(nodes.length, (i) => nodes[i]!.inputs.map((e) => e.from.node))) {
    if (comp.length > 1 || nodes[comp[0]!]!.inputs.some((e) => e.from.node === comp[0])) {
      const members = [...comp].sort((a, b) => a - b).map((i) => nodes[i]!);
      for (const m of members) knotOf.set(m.id, members);
    }
  }
  const nsSpelling = (id: string) => resolved.namespaceSpelling(id);
  const run = limiter(Math.max(1, options.jobs ?? 2));
  const memo = new Map<number, Promise<Outputs>>();
  let ran = 0;
  let reused = 0;

  const ref = (n: ResolvedNode) => ({ node: n.id, label: n.label, ...(n.at ? { at: n.at } : {}) });
  const outputSpelling = (n: ResolvedNode, s: Spelling, output: string) => (output === n.signature.defaultOutput ? s : sourceSpelling(s, output));

  /** Every declared output of `n` from recorded reductions, or undefined. */
  const fromReductions = (n: ResolvedNode, s: Spelling): Outputs | undefined => {
    const outs: Record<string, Resource> = {};
    for (const output of Object.keys(n.signature.outputs)) {
      const row = lookup(store, outputSpelling(n, s, output), n.namespace.spelling);
      const found = row && materialize(store, row.to, nsSpelling, n.namespace.spelling);
      if (!found) return undefined;
      outs[output] = found.resource;
    }
    return outs;
  };

  const pick = (source: Source, outs: Outputs): Resource => {
    const from = nodes[source.node]!;
    const output = source.output ?? from.signature.defaultOutput;
    const r = outs[output];
    if (!r) throw new NomiaError('usage', `\`${from.label}\` produced no output \`${output}\``);
    return project(r, source.projection, `\`${from.label}\``);
  };


  // After the first failure nothing new starts; what runs is let finish before realize returns,
  // so the caller may close the store at once.
  const cancel = new AbortController();
  const realizeNode = (id: number): Promise<Outputs> => {
    let p = memo.get(id);
    if (!p) {
      const members = knotOf.get(id);
      if (members) {
        const knot = Promise.resolve().then(() => tieKnot(members));
        for (const m of members) memo.set(m.id, knot.then((outs) => outs.get(m.id)!));
        return memo.get(id)!;
      }
      // Each node starts in a microtask of its own: a long chain of inputs must not descend the stack.
      p = Promise.resolve().then(() => realizeOnce(nodes[id]!));
      memo.set(id, p);
    }
    return p;
  };

  const knotEnv: KnotEnv = {
    store, context: options.context, ...(options.signal ? { signal: options.signal } : {}),
    emit, ref, fromReductions, outputSpelling, pick, realizeNode,
    run: (task) => run(async () => {
      if (cancel.signal.aborted) throw new Cancelled();
      return task();
    }),
    count: (what, n) => {
      if (what === 'ran') ran += n;
      else reused += n;
    },
  };
  const tieKnot = async (members: readonly ResolvedNode[]): Promise<Map<number, Outputs>> => {
    if (cancel.signal.aborted) throw new Cancelled();
    try {
      return await realizeKnot(knotEnv, members);
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      const lead = members[0]!;
      emit({ kind: 'failed', ...ref(lead), error: (e as Error).message });
      if (e instanceof NomiaError && !e.message.includes('\n  while ')) {
        throw new NomiaError(e.code, `${e.message}\n  while tying the knot through ${lead.label}${lead.at ? ` (${lead.at})` : ''}`, {
          ...(e.hint === undefined ? {} : { hint: e.hint }), cause: e,
        });
      }
      throw e;
    }
  };

  const realizeOnce = async (n: ResolvedNode): Promise<Outputs> => {
    if (cancel.signal.aborted) throw new Cancelled();
    if (!n.tainted) {
      const hit = fromReductions(n, n.spelling);
      if (hit) {
        reused++;
        emit({ kind: 'cache-hit', ...ref(n), spelling: n.spelling, to: hit[n.signature.defaultOutput]?.name ?? '', early: false });
        return hit;
      }
    }
    // An a-priori reduction: the namespace knows a more refined name without running anything; realize that instead.
    if (n.namespace.reduce && Object.keys(n.signature.outputs).length === 1) {
      const to = await n.namespace.reduce(n.request, options.context);
      if (to !== undefined) {
        if (!n.tainted) {
          record(store, { from: n.spelling, namespace: n.namespace.spelling, to, kind: 'a-priori' });
          emit({ kind: 'reduced', ...ref(n), from: n.spelling, to, source: 'recorded' });
        }
        const [root] = (await realize(to, options)).roots;
        return { [n.signature.defaultOutput]: root! };
      }
    }
    const inputs: Record<string, Resource> = {};
    await Promise.all(n.inputs.map(async (e: Edge) => {
      inputs[portLabel(e.port)] = pick(e.from, await realizeNode(e.from.node));
    }));
    if (n.signature.inputs !== 'any') {
      for (const [port, sig] of Object.entries(n.signature.inputs)) {
        const r = inputs[port]!;
        if (!isSubtype(r.type, sig.type)) {
          throw new NomiaError('usage', `input \`${port}\` of \`${n.label}\` must be a ${sig.type}, but ${r.name} is a ${r.type}`, { hint: 'pass a resource of that type, or project a path inside it' });
        }
      }
    }
    const refined = await respell(n, resolved.graph, inputs, nsSpelling);
    if (!n.signature.contextual && refined !== n.spelling) {
      const hit = fromReductions(n, refined);
      if (hit) {
        reused++;
        emit({ kind: 'cache-hit', ...ref(n), spelling: refined, to: hit[n.signature.defaultOutput]?.name ?? '', early: true });
        return hit;
      }
    }
    const logLines: string[] = [];
    const keepLog = (node: ResolvedNode, refinedSpelling: Spelling, last?: string) => {
      if (logLines.length === 0 && last === undefined) return;
      try {
        writeLog(store, node.tainted ? [refinedSpelling] : [refinedSpelling, node.spelling], last === undefined ? logLines : [...logLines, last]);
      } catch {
        // A log that cannot be kept must not fail the node.
      }
    };
    const lock = await acquire(store, refined, () => emit({ kind: 'waiting', ...ref(n), spelling: refined }), options.signal);
    try {
      if (!n.signature.contextual) {
        const hit = fromReductions(n, refined);
        if (hit) {
          reused++;
          emit({ kind: 'cache-hit', ...ref(n), spelling: refined, to: hit[n.signature.defaultOutput]?.name ?? '', early: refined !== n.spelling });
          return hit;
        }
      }
      const extra: { toName: string; output?: string }[] = [];
      // The node's log lines are also kept in the store, by spelling (`nomia log`), whether it succeeds or fails.
      const events = nodeEvents(ref(n), (e) => {
        if (e.kind === 'log') {
          logLines.push(e.line);
          // Keep the tail in memory (it is what the stored log keeps, too).
          if (logLines.length > 200_000) logLines.splice(0, 100_000, '[… earlier lines dropped]');
        }
        emit(e);
      });
      const ctx: RealizeContext = {
        store, context: options.context, signal: options.signal ?? new AbortController().signal,
        events, log: (line) => events.emit({ kind: 'log', line }),
        emitReduction: (toName, output) => extra.push({ toName, ...(output === undefined ? {} : { output }) }),
        resolve: async (other, how) => (await realize(other, how?.pure ? { ...options, pure: true } : options)).roots,
      };
      // The node's clock starts with its job slot: waiting for one is not the node's time.
      let t0 = 0;
      const outs = await run(async () => {
        if (cancel.signal.aborted) throw new Cancelled();
        t0 = Date.now();
        emit({ kind: 'realizing', ...ref(n), spelling: refined });
        return n.namespace.realize(n.request, inputs, ctx);
      });
      ran++;
      for (const output of Object.keys(n.signature.outputs)) {
        if (!outs[output]) throw new NomiaError('usage', `the namespace ${n.namespace.id} did not produce the output \`${output}\` of \`${n.label}\``);
      }
      const spellingsOfNode = n.tainted || refined === n.spelling ? [refined] : [refined, n.spelling];
      for (const s of spellingsOfNode) {
        for (const [output, r] of Object.entries(outs)) {
          const from = outputSpelling(n, s, output);
          const via = extra.find((x) => (x.output ?? n.signature.defaultOutput) === output);
          // A refinement learned on the way is recorded as its own step of the chain.
          const first = via ? via.toName : r.name;
          record(store, { from, namespace: n.namespace.spelling, to: first, kind: 'realized' });
          emit({ kind: 'reduced', ...ref(n), from, to: first, source: 'recorded' });
          if (via) {
            const viaSpelling = spellText(via.toName, nsSpelling);
            if (viaSpelling) record(store, { from: viaSpelling, namespace: n.namespace.spelling, to: r.name, kind: 'realized' });
          }
        }
      }
      keepLog(n, refined);
      emit({ kind: 'ready', ...ref(n), outputs: Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.name])), ms: Date.now() - t0 });
      return outs;
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      keepLog(n, refined, `failed: ${(e as Error).message}`);
      emit({ kind: 'failed', ...ref(n), error: (e as Error).message });
      if (e instanceof NomiaError && !e.message.includes('\n  while realizing')) {
        throw new NomiaError(e.code, `${e.message}\n  while realizing ${n.label}${n.at ? ` (${n.at})` : ''}`, {
          ...(e.hint === undefined ? {} : { hint: e.hint }), cause: e,
        });
      }
      throw e;
    } finally {
      lock.release();
    }
  };

  let roots: Resource[];
  try {
    roots = await Promise.all(resolved.graph.roots.map(async (r) => pick(r, await realizeNode(r.node))));
  } catch (e) {
    cancel.abort();
    await Promise.allSettled([...memo.values()]);
    throw e;
  }
  // A named namespace's implementation (a script) is not in the graph's spelling, only in its nodes'.
  const named = resolved.graph.nodes.some((g) => g.kind === 'atomic' && g.namespace.kind === 'named');
  if (prepared && !named && !nodes.some((n) => n.tainted)) recordWholeName(store, prepared.spellings.name, roots, key);
  emit({ kind: 'done', roots: roots.map((r) => r.name), ms: Date.now() - started, ran, reused });
  return { resolved, roots };
}
