/**
 * Realization (DESIGN.md §7), backwards from the requested outputs. A name
 * realized before is one lookup (`whole-name.ts`); else it is resolved
 * (`resolve.ts`) and each root's node realized (`node.ts`), its inputs
 * first, in parallel, at most `jobs` namespaces running at once. A cycle is
 * realized as one unit by its namespace (`knots.ts`). Both end in the same
 * steps (`step.ts`). Failures are never recorded (STYLE rule 10): they are
 * transient; after the first (or the `keepGoing`-th) nothing new starts.
 */
import { NomiaError } from '../errors.js';
import { stronglyConnected } from '../graph/scc.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { RunContext } from '../namespace/types.js';
import type { Resource } from '../resource/types.js';
import { deferCleanUps } from '../store/background.js';
import type { Store } from '../store/store.js';
import type { TreeState } from '../store/stat-cache.js';
import type { EngineEvent, EventListener } from './events.js';
import { realizeKnot } from './knots.js';
import { answerFromMemo, Dependencies, recordMemo, type MemoAnswer, type MemoKey, type MemoMiss } from './memo.js';
import { memoRecord, nodeMemo } from './memo-nodes.js';
import { realizeNode, type NodeEnv } from './node.js';
import { pick, type Outputs } from './outputs.js';
import { lookupGraph, lookupText, recordWholeName, textKey } from './whole-name.js';
import { PrivateScopes } from './private-results.js';
import { Protection } from './protect.js';
import { prepare, resolve, type Prepared, type ResolvedName, type ResolvedNode } from './resolve.js';
import { slots, type Slots } from './slots.js';
import { Cancelled, failedEvent, withTrace, WouldRun } from './step.js';
import type { Spelling } from '../graph/spell.js';
import type { Substituters } from '../cache/substituters.js';

export interface RealizeOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly context: RunContext;
  /** Namespaces running at once; default 2 (this machine's cores). */
  readonly jobs?: number;
  /**
   * ninja's `-l N`: start no namespace while the system's load average is at least this and another is
   * running (slots.ts); absent or ≤ 0, no limit. Realizes this one starts share its slots, so its limit.
   */
  readonly maxLoad?: number;
  readonly onEvent?: EventListener;
  /**
   * A realize started by another (a namespace's `ctx.resolve`, an a-priori reduction): its `resolving` (what
   * was asked for) and its nodes' events go to `onEvent` as the outer run's do, but not its `done`, so a log
   * or a live view has one `done`, the outer run's, at its end. Set by the engine.
   */
  readonly nested?: boolean;
  /** The run-wide id of the node whose namespace started this (nested) realize; its events carry it as `parent`. Set by the engine. */
  readonly parent?: number;
  readonly signal?: AbortSignal;
  /** The name's text, for error excerpts. */
  readonly source?: string;
  /**
   * Refuse names with contextual parts (the caller's files, environment, stdin): set for requests from
   * sandboxed builds, which must not reach the host through the engine.
   */
  readonly pure?: boolean;
  /**
   * Run the nodes the name's results come from again, although a reduction is recorded (their inputs
   * are reused, as `nix-build --check` does): `rebuild` records the new results; `check` compares them
   * with the recorded ones and fails with `realize/not-reproducible` on a difference, keeping the record.
   */
  readonly redo?: 'rebuild' | 'check';
  /**
   * How many nodes may fail before nothing new starts (ninja's `-k N`): default 1, the first failure stops
   * the run; 0, never: every node that needs no failed one is realized (and its result recorded). A
   * failure counts once, at the node that failed, not at those that needed it. The realize still fails,
   * with the first failure's error, once what runs has finished. A realize this one starts (a namespace's
   * `ctx.resolve`, an a-priori reduction) stops at its first failure, which fails the node that asked.
   */
  readonly keepGoing?: number;
  /**
   * When the realize fails (the outermost one, not a dry run), called once before it throws, with each
   * root's resource that was realized, in the roots' order, and undefined for a root whose node failed,
   * needed one that did, or was never started: a front-end writes out what succeeded, as ninja leaves the
   * outputs of the edges that succeeded in a failed build. They are held as the realize's results are
   * (until it ends, or in `holdIn`).
   */
  readonly onFailedWith?: (roots: readonly (Resource | undefined)[]) => void;
  /**
   * Run nothing but contextual nodes (which read the caller's files): every other node that has no
   * recorded result (none in the store, none a binary cache gives, which is fetched as a build would)
   * reports `would-run`, and so does every node that needs one. The realize then returns no roots and
   * `wouldRun` (Nix's `--dry-run`, ninja's `-n`); when nothing would run, it is an ordinary realize.
   */
  readonly dryRun?: boolean;
  /** Job slots shared with the realize whose build asked for this one through the daemon; default `slots(jobs)`. */
  readonly slots?: Slots;
  /** The nodes being built by the builds that asked for this realize, outermost first: asking for one of them again is a cycle. */
  readonly building?: readonly { readonly spelling: Spelling; readonly label: string }[];
  /** Binary caches to ask before running a node (docs/cache.md); none when absent. */
  readonly substituters?: Substituters;
  /** What the realize this one serves (an a-priori reduction, a namespace's `ctx.resolve`) holds and has open; set by the engine. */
  readonly session?: RealizeSession;
  /**
   * Answer from the memo kept under this key (`memoKey`: the text, the caller's working directory and
   * configuration) when every file it was made from is unchanged, and keep one there after a realize
   * that may be memoized (engine/memo.ts). Absent: no memo.
   */
  readonly memo?: MemoKey;
  /**
   * The caller already checked the memo under `memo` in this process and it missed (`answerFromMemo`):
   * it is not checked again, and its stats serve the memo of nodes. Ignored for another key.
   */
  readonly memoMissed?: MemoMiss;
  /**
   * The files the caller read to make the name text (a front-end's manifest: `nomia ninja`'s build.ninja),
   * each stat-ed before it was read: a memo kept under `memo` holds only while they, too, stat the same.
   */
  readonly memoDependsOn?: readonly TreeState[];
  /**
   * Hold what the realize finds and makes in this `Protection` of the caller's (for `store`), which the
   * caller releases, rather than in one released when the realize ends: a front-end that writes the
   * results out and then roots them (cli/build-root.ts) leaves a gc no moment in between to take them.
   */
  readonly holdIn?: Protection;
}

/** What one realize and those it starts share (internal to the engine; callers leave `RealizeOptions.session` unset). */
export interface RealizeSession {
  readonly protection: Protection;
  readonly privateScopes: PrivateScopes;
  /** The files the contextual nodes of the realize (and those it starts) were made from. */
  readonly dependencies: Dependencies;
  /**
   * The next free node id of the run: each realize takes a block for its graph's nodes when it has resolved
   * it, so the outer name's nodes keep their graph ids (0…n-1) and a nested realize's never clash with them.
   */
  readonly nodeIds: { next: number };
}

export interface Realized {
  /** The results came from the memo (`RealizeOptions.memo`): nothing was parsed or resolved. */
  readonly memoized?: boolean;
  /** Absent when the whole name was one lookup (a graph-level reduction): nothing was resolved. */
  readonly resolved?: ResolvedName;
  /** One per root of the name, in order (none when a dry run found nodes that would run). */
  readonly roots: readonly Resource[];
  /** A dry run (`RealizeOptions.dryRun`): how many nodes would run; absent when none would. */
  readonly wouldRun?: number;
}

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

/** The cycles of the graph (resolution let through only those whose namespaces tie knots): each member's cycle. */
function knotsOf(nodes: readonly ResolvedNode[]): Map<number, ResolvedNode[]> {
  const knotOf = new Map<number, ResolvedNode[]>();
  for (const comp of stronglyConnected(nodes.length, (i) => nodes[i]!.inputs.map((e) => e.from.node))) {
    if (comp.length > 1 || nodes[comp[0]!]!.inputs.some((e) => e.from.node === comp[0])) {
      const members = [...comp].sort((a, b) => a - b).map((i) => nodes[i]!);
      for (const m of members) knotOf.set(m.id, members);
    }
  }
  return knotOf;
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
  const cancel = new AbortController();
  // Nested realizes stop at their first failure (`keepGoing`); the outer run counts its nodes' failures.
  const limit = options.nested ? 1 : options.keepGoing ?? 1;
  let failures = 0;
  const stopped = () => limit > 0 && failures >= limit;
  const pool = options.slots ?? slots(Math.max(1, options.jobs ?? 2), options.maxLoad !== undefined ? { maxLoad: options.maxLoad } : {});
  const env: NodeEnv = {
    store: options.store, registry: options.registry, context: options.context, ...(options.signal ? { signal: options.signal } : {}),
    protection: session.protection, privateScopes: session.privateScopes, building: options.building ?? [],
    // Only the outermost realize's nodes own what they declare (memo-nodes.ts).
    dependencies: options.nested ? session.dependencies.unowned() : session.dependencies,
    ...(options.substituters ? { substituters: options.substituters } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.redo ? { redo: { how: options.redo, nodes: new Set(resolved.graph.roots.map((r) => r.node)) } } : {}),
    graph: resolved.graph, nodes,
    emit: (e) => {
      // A node's own failure (one that only needed a failed node fails without an event of its own).
      if (e.kind === 'failed') {
        failures++;
        if (stopped()) cancel.abort();
      }
      emit(e);
    },
    cancelled: () => cancel.signal.aborted,
    run: (task) => pool.run(async (slot) => {
      if (cancel.signal.aborted) throw new Cancelled();
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
      const knot = Promise.resolve().then(() => tieKnot(env, members, cancel.signal));
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
    // Keeping going (or in a dry run), everything that needs no failed node goes on (each node was asked
    // for before the roots could fail); a failure without a node's event (an engine error) stops the run.
    const dry = options.dryRun && e instanceof WouldRun;
    if (!dry && (failures === 0 || stopped())) cancel.abort();
    // Until nothing new was asked for: a node asks for its inputs only once its lookups missed.
    let settled: PromiseSettledResult<Outputs>[] = [];
    for (let n = -1; n !== memo.size;) {
      n = memo.size;
      settled = await Promise.allSettled([...memo.values()]);
    }
    if (!dry && !options.nested && options.onFailedWith) {
      const outcomes = await Promise.allSettled(resolved.graph.roots.map(async (r) => pick(nodes[r.node]!, r, await memo.get(r.node)!)));
      options.onFailedWith(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined)));
    }
    // A dry run that also failed fails with that error, not with what would run.
    const failure = dry ? settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof WouldRun) && !(s.reason instanceof Cancelled)) : undefined;
    throw failure ? failure.reason : e;
  }
}

/** Realize a cycle; a failure is reported as its first member's. */
async function tieKnot(env: NodeEnv, members: readonly ResolvedNode[], cancelled: AbortSignal): Promise<Map<number, Outputs>> {
  if (cancelled.aborted) throw new Cancelled();
  try {
    return await realizeKnot(env, env.nodes, members);
  } catch (e) {
    if (e instanceof Cancelled || e instanceof WouldRun) throw e;
    const lead = members[0]!;
    env.emit(failedEvent(lead, e));
    throw withTrace(e, `tying the knot through ${lead.label}${lead.at ? ` (${lead.at})` : ''}`);
  }
}
