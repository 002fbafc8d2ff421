/**
 * Realization (DESIGN.md §7), backwards from the requested outputs. A name
 * realized before is one lookup (`whole-name.ts`); else it is resolved
 * (`resolve.ts`) and each root's node realized (`node.ts`), its inputs
 * first, in parallel, at most `jobs` namespaces running at once. A cycle is
 * realized as one unit by its namespace (`knots.ts`). Both end in the same
 * steps (`step.ts`). Failures are never recorded (STYLE rule 10): they are
 * transient; after the first (or the `keepGoing`-th) nothing new starts
 * (`keep-going.ts`, which a dry run's stop at a node that would run shares).
 * The options and the result are declared in `realize-options.ts`.
 */
import { NomiaError } from '../errors.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Resource } from '../resource/types.js';
import { deferCleanUps } from '../store/background.js';
import type { EngineEvent } from './events.js';
import { knotsOf, tieKnot } from './knots.js';
import { stopping } from './keep-going.js';
import { answerFromMemo, Dependencies, recordMemo, type MemoAnswer } from './memo.js';
import { memoRecord, nodeMemo } from './memo-nodes.js';
import { realizeNode, type NodeEnv } from './node.js';
import { pick, type Outputs } from './outputs.js';
import { lookupGraph, lookupText, recordWholeName, textKey } from './whole-name.js';
import { PrivateScopes } from './private-results.js';
import { Protection } from './protect.js';
import { prepare, resolve, type Prepared, type ResolvedName } from './resolve.js';
import type { Realized, RealizeOptions, RealizeSession } from './realize-options.js';
import { slots } from './slots.js';
import { Cancelled, WouldRun } from './step.js';

export type { Realized, RealizeOptions, RealizeSession } from './realize-options.js';

/**
 * Realize a name: given as text (then a name realized before is one lookup
 * without even a parse, see `whole-name.ts`) or parsed (`options.source` is
 * then only used for error excerpts).
 */
export async function realize(name: Name | string, options: RealizeOptions): Promise<Realized> {
  if (options.session) return realizeIn(name, options, options.session);
  // Everything this realize (and any it starts) finds or makes is held until it ends (protect.ts); private
  // stores it opens for private nodes are closed then (private-results.ts).
  const session: RealizeSession = { protection: options.holdIn ?? new Protection(options.store), privateScopes: new PrivateScopes(options.store), dependencies: new Dependencies(), nodeIds: { next: 0 } };
  // Group commit: what the realize registers and records is made durable once, at its end (database.ts).
  options.store.db.beginBatch();
  // Work directories and lock files are removed off the main thread, and waited for only here (background.ts).
  const cleanUps = deferCleanUps();
  let realized: Realized;
  try {
    realized = await realizeIn(name, { ...options, session }, session);
  } catch (e) {
    try {
      options.store.db.endBatch();
    } catch {
      // The realize's own failure is the story.
    }
    throw e;
  } finally {
    if (!options.holdIn) session.protection.release();
    // Before the private stores close: their work directories are reached through the descriptors they hold.
    await cleanUps();
    session.privateScopes.close();
  }
  options.store.db.endBatch();
  return realized;
}

async function realizeIn(name: Name | string, options: RealizeOptions, session: RealizeSession): Promise<Realized> {
  const { protection } = session;
  const started = Date.now();
  // Node ids in events are the run's (docs/engine.md, "Events"): this graph's ids moved by `base`, and a
  // nested realize's nodes carry the node that started it.
  let base = 0;
  const parent = options.parent === undefined ? {} : { parent: options.parent };
  const emit = (e: EngineEvent) => {
    if (options.nested && e.kind === 'done') return;
    if (base === 0 && options.parent === undefined) options.onEvent?.(e);
    else if ('node' in e) options.onEvent?.({ ...e, node: base + e.node, ...parent });
    else options.onEvent?.(e.kind === 'resolving' ? { ...e, ...parent } : e);
  };
  const text = typeof name === 'string' ? name : undefined;
  const source = text ?? options.source;
  emit({ kind: 'resolving', name: source ?? '' });
  // The memo is kept and read by the outermost realize only: a realize it starts is given no key.
  const memo = options.redo || options.dryRun ? undefined : options.memo;
  const answer: MemoAnswer | undefined = !memo ? undefined : options.memoMissed?.key === memo ? { missed: options.memoMissed } : answerFromMemo(options.store, memo, (rs) => protection.hold(rs));
  const memoized = answer?.hit;
  if (memoized) {
    emit({ kind: 'done', roots: memoized.results.map((r) => r.name), ms: Date.now() - started, ran: 0, reused: 1, memo: true });
    return { roots: memoized.results, memoized: true };
  }
  const wholeNameHit = (found: Resource[]): Realized => {
    if (memo) recordMemo(options.store, memo, found, (options.memoDependsOn ?? []).map((state) => ({ state, owners: undefined })));
    emit({ kind: 'done', roots: found.map((r) => r.name), ms: Date.now() - started, ran: 0, reused: 1 });
    return { roots: found };
  };
  // A name realized before is one lookup (DESIGN.md §7, step 4): by its text, before any parse, or by its
  // spelling, before any namespace is described. Only names without contextual parts are ever recorded.
  // A found result is held from here on; one that left the store meanwhile is a miss.
  const key = text === undefined || options.redo ? undefined : textKey(text, options.registry);
  const byText = key === undefined ? undefined : lookupText(options.store, key);
  const foundByText = byText && lookupGraph(options.store, byText, options.registry);
  if (foundByText && protection.hold(foundByText)) return wholeNameHit(foundByText);
  const parsed = typeof name === 'string' ? parseName(name) : name;
  const prepared = tryPrepare(parsed, options.registry, source);
  const found = prepared && !options.redo ? lookupGraph(options.store, prepared.spellings.name, options.registry) : undefined;
  if (prepared && found && protection.hold(found)) {
    if (key !== undefined) recordWholeName(options.store, options.registry, prepared.spellings.name, found, key);
    return wholeNameHit(found);
  }
  const resolved = await resolveFor(parsed, options, source, prepared);
  base = session.nodeIds.next;
  session.nodeIds.next += resolved.nodes.length;
  const counts = { ran: 0, reused: 0 };
  // The memo missed: the nodes no changed file reaches are answered with what they gave (memo-nodes.ts).
  const previous = memo ? nodeMemo(options.store, memo, resolved.nodes, answer?.missed) : undefined;
  const realized = new Map<number, Outputs>();
  let wouldRun = 0;
  const counted = (e: EngineEvent) => {
    if (e.kind === 'would-run') wouldRun++;
    emit(e);
  };
  let roots: Resource[];
  try {
    roots = await realizeGraph(resolved, options, session, counted, counts, base, previous?.clean, realized);
  } catch (e) {
    // A realize a namespace started passes it on: the node that asked for it would run.
    if (!(options.dryRun && !options.nested && e instanceof WouldRun)) throw e;
    emit({ kind: 'done', roots: [], ms: Date.now() - started, ...counts, wouldRun });
    return { resolved, roots: [], wouldRun };
  }
  // A named namespace's implementation (a script) is not in the graph's spelling, only in its nodes'.
  const named = resolved.graph.nodes.some((g) => g.kind === 'atomic' && g.namespace.kind === 'named');
  if (prepared && !named && !resolved.nodes.some((n) => n.tainted)) recordWholeName(options.store, options.registry, prepared.spellings.name, roots, key);
  if (memo && !named && session.dependencies.untracked === undefined) {
    const kept = memoRecord(options.store, resolved.nodes, realized, [...(options.memoDependsOn ?? []).map((state) => ({ state, owners: undefined })), ...session.dependencies.list()], previous);
    recordMemo(options.store, memo, roots, kept.deps, kept.nodes);
  }
  emit({ kind: 'done', roots: roots.map((r) => r.name), ms: Date.now() - started, ...counts });
  return { resolved, roots };
}

/** Flatten and spell with the registry's spellings, or undefined if that fails (resolution reports it properly). */
function tryPrepare(parsed: Name, registry: Registry, source: string | undefined): Prepared | undefined {
  try {
    return prepare(parsed, registry, source);
  } catch {
    return undefined;
  }
}

/** Resolve the name; a named namespace's namespace is realized on the way. Refuses contextual parts in a pure run. */
async function resolveFor(parsed: Name, options: RealizeOptions, source: string | undefined, prepared: Prepared | undefined): Promise<ResolvedName> {
  const resolved = await resolve(parsed, options.registry, source, async ({ namespace, request, label }) => {
    const outs = await namespace.realize(request, {}, {
      store: options.store, context: options.context, signal: options.signal ?? new AbortController().signal,
      events: { emit: () => undefined }, log: () => undefined, emitReduction: () => undefined,
    });
    const sig = await namespace.describe(request);
    const r = outs[sig.defaultOutput];
    if (!r) throw new NomiaError('namespace/contract', `\`${label}\` produced no namespace`);
    return r;
  }, prepared);
  if (options.pure) {
    const contextual = resolved.nodes.find((n) => n.tainted);
    if (contextual) throw new NomiaError('daemon/denied', `\`${contextual.label}\` depends on the caller's context, which this request may not use`, { hint: 'pass the resource as an input of the build instead' });
  }
  return resolved;
}

/**
 * Realize every node the roots need, each once; the roots' resources. After the first failure nothing
 * new starts; what runs is let finish before this returns, so the caller may close the store at once.
 * A node in `clean` is answered with those outputs once they are held (memo-nodes.ts); every node's
 * outputs go to `realized`.
 */
async function realizeGraph(resolved: ResolvedName, options: RealizeOptions, session: RealizeSession, emit: (e: EngineEvent) => void, counts: { ran: number; reused: number }, base: number, clean?: ReadonlyMap<number, Outputs>, realized?: Map<number, Outputs>): Promise<Resource[]> {
  const { nodes } = resolved;
  const knotOf = knotsOf(nodes);
  const memo = new Map<number, Promise<Outputs>>();
  // Nested realizes stop at their first failure (`keepGoing`); the outer run counts its nodes' failures.
  const stop = stopping(options.nested ? 1 : options.keepGoing ?? 1, options.dryRun === true);
  const pool = options.slots ?? slots(Math.max(1, options.jobs ?? 2), options.maxLoad !== undefined ? { maxLoad: options.maxLoad } : {});
  const env: NodeEnv = {
    store: options.store, registry: options.registry, context: options.context, ...(options.signal ? { signal: options.signal } : {}),
    protection: session.protection, privateScopes: session.privateScopes, building: options.building ?? [],
    // Only the outermost realize's nodes own what they declare (memo-nodes.ts).
    dependencies: options.nested ? session.dependencies.unowned() : session.dependencies,
    ...(options.substituters ? { substituters: options.substituters } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.redo ? { redo: { how: options.redo, nodes: new Set(resolved.graph.roots.map((r) => r.node)) } } : {}),
    graph: resolved.graph, nodes, selections: new Map(),
    emit: (e) => {
      // A node's own failure (one that only needed a failed node fails without an event of its own).
      if (e.kind === 'failed') stop.nodeFailed();
      emit(e);
    },
    cancelled: () => stop.signal.aborted,
    run: (task) => pool.run(async (slot) => {
      if (stop.signal.aborted) throw new Cancelled();
      return task(slot);
    }),
    count: (what, n) => void (counts[what] += n),
    realizeNode: (id) => memoized(id),
    // A request from a build shares the run's job slots (lending the build's own while it waits) and knows
    // what is being built, so a build asking for its own name is an error, not a wait on its own lock.
    resolve: async (other, how, asker, slot) => {
      const sub: RealizeOptions = {
        ...options, slots: pool, building: [...(options.building ?? []), { spelling: asker.spelling, label: asker.label }], redo: undefined, memo: undefined, nested: true, parent: base + asker.node,
        ...(how?.pure ? { pure: true } : {}),
        ...(how?.signal ? { signal: options.signal ? AbortSignal.any([options.signal, how.signal]) : how.signal } : {}),
      };
      const go = async () => (await realize(other, sub)).roots;
      return slot ? slot.lend(go) : go();
    },
    realizeName: async (text, asker) => (await realize(text, { ...options, slots: pool, redo: undefined, memo: undefined, nested: true, parent: base + asker })).roots,
  };
  const memoized = (id: number): Promise<Outputs> => {
    let p = memo.get(id);
    if (p) return p;
    const members = knotOf.get(id);
    if (members) {
      const knot = Promise.resolve().then(() => tieKnot(env, nodes, members, stop.signal));
      for (const m of members) memo.set(m.id, knot.then((outs) => outs.get(m.id)!));
      return memo.get(id)!;
    }
    // Each node starts in a microtask of its own: a long chain of inputs must not descend the stack.
    const known = clean?.get(id);
    p = known
      ? session.protection.holdSoon(Object.values(known)).then((held) => (held ? (counts.reused++, known) : realizeNode(env, nodes[id]!)))
      : Promise.resolve().then(() => realizeNode(env, nodes[id]!));
    memo.set(id, p);
    if (realized) void p.then((outs) => realized.set(id, outs), () => undefined);
    return p;
  };
  try {
    return await Promise.all(resolved.graph.roots.map(async (r) => pick(nodes[r.node]!, r, await memoized(r.node))));
  } catch (e) {
    // What needs no failed node may go on (keep-going.ts); the realize fails once all it asked for settled.
    const failure = await stop.settle(e, memo);
    // A front-end writes out what succeeded (ninja leaves the outputs of the edges that succeeded).
    if (!(options.dryRun && e instanceof WouldRun) && !options.nested && options.onFailedWith) {
      const outcomes = await Promise.allSettled(resolved.graph.roots.map(async (r) => pick(nodes[r.node]!, r, await memo.get(r.node)!)));
      options.onFailedWith(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined)));
    }
    throw failure;
  }
}
