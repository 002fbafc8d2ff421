/**
 * Tying knots (DESIGN.md §3, "Cycles"): a strongly connected component of
 * the graph, e.g. two values that refer to each other, is realized as one
 * unit by its namespace's `realizeKnot`, since no member can be realized
 * before the others. The engine allows it only when every member is a name
 * of one namespace that declares `tiesKnots` (resolution checks the
 * declaration; this module the rest).
 *
 * Like a node, a cycle is looked up first (every member by its spelling,
 * which the speller derives from the whole component), then its inputs from
 * outside are realized, then it is realized under a lock and every member's
 * outputs are recorded under its spelling. A cycle has no refined spelling:
 * a changed input from outside that comes out identical does not make it a
 * lookup again (no early cutoff), and a contextual cycle always runs.
 */
import { NomiaError } from '../errors.js';
import type { Spelling } from '../graph/spell.js';
import { portLabel, type Source } from '../graph/types.js';
import type { KnotMember, KnotSource, RealizeContext, Resource, RunContext } from '../namespace/types.js';
import type { Store } from '../store/store.js';
import type { EngineEvent, NodeRef } from './events.js';
import { acquire } from './locks.js';
import { nodeEvents } from './node-events.js';
import { record } from './reductions.js';
import type { ResolvedNode } from './resolve.js';

type Outputs = Readonly<Record<string, Resource>>;

/** What the realize of the whole name lends to a knot. */
export interface KnotEnv {
  readonly store: Store;
  readonly context: RunContext;
  readonly signal?: AbortSignal;
  emit(e: EngineEvent): void;
  ref(n: ResolvedNode): NodeRef;
  /** Every declared output of `n` from recorded reductions under spelling `s`, or undefined. */
  fromReductions(n: ResolvedNode, s: Spelling): Outputs | undefined;
  outputSpelling(n: ResolvedNode, s: Spelling, output: string): Spelling;
  /** A source's resource out of its node's outputs (with its projection). */
  pick(source: Source, outs: Outputs): Resource;
  realizeNode(id: number): Promise<Outputs>;
  /** The checks before a member's outputs are recorded (accept-outputs.ts); `since`: when it started. */
  accept(n: ResolvedNode, inputs: Readonly<Record<string, Resource>>, outputs: Outputs, since: number): Promise<void>;
  /** Run a namespace within the `--jobs` limit; throws if the run was cancelled meanwhile. */
  run<T>(task: () => Promise<T>): Promise<T>;
  count(what: 'ran' | 'reused', n: number): void;
}

function fail(members: readonly ResolvedNode[], why: string, hint: string): never {
  const first = members[0]!;
  throw new NomiaError('usage', `cannot tie the knot through ${members.map((m) => `\`${m.label}\``).join(', ')}${first.at ? ` (${first.at})` : ''}: ${why}`, { hint });
}

/** Realize the cycle `members` (ascending node ids); the outputs of each member by node id. */
export async function realizeKnot(env: KnotEnv, members: readonly ResolvedNode[]): Promise<Map<number, Outputs>> {
  const ns = members[0]!.namespace;
  if (members.some((m) => m.namespace !== ns)) {
    fail(members, 'its members are names of different namespaces', 'a knot is tied by one namespace: keep the cycle inside it');
  }
  if (!ns.realizeKnot) fail(members, `the namespace ${ns.id} says it ties knots but cannot (it has no realizeKnot)`, 'report it to the namespace\'s authors');
  const index = new Map(members.map((m, i) => [m.id, i]));
  const tainted = members.some((m) => m.tainted);
  const lookupAll = (): Map<number, Outputs> | undefined => {
    if (tainted) return undefined;
    const found = new Map<number, Outputs>();
    for (const m of members) {
      const hit = env.fromReductions(m, m.spelling);
      if (!hit) return undefined;
      found.set(m.id, hit);
    }
    return found;
  };
  const hit = (found: Map<number, Outputs>) => {
    for (const m of members) {
      const outs = found.get(m.id)!;
      env.emit({ kind: 'cache-hit', ...env.ref(m), spelling: m.spelling, to: outs[m.signature.defaultOutput]?.name ?? '', early: false });
    }
    env.count('reused', members.length);
    return found;
  };
  const known = lookupAll();
  if (known) return hit(known);

  // Inputs from outside the cycle come first; inside it, each port is told which member feeds it.
  const knotMembers: KnotMember[] = await Promise.all(members.map(async (m) => {
    const inputs: Record<string, Resource> = {};
    const knots: Record<string, KnotSource> = {};
    await Promise.all(m.inputs.map(async (e) => {
      const inside = index.get(e.from.node);
      if (inside === undefined) {
        inputs[portLabel(e.port)] = env.pick(e.from, await env.realizeNode(e.from.node));
      } else {
        const from = members[inside]!;
        knots[portLabel(e.port)] = { member: inside, output: e.from.output ?? from.signature.defaultOutput, ...(e.from.projection ? { projection: e.from.projection } : {}) };
      }
    }));
    return { request: m.request, inputs, knots };
  }));

  // One lock for the cycle: every member's spelling derives from the component's, so any one names it.
  const key = [...members].map((m) => m.spelling).sort()[0]!;
  const lead = members[0]!;
  const lock = await acquire(env.store, key, () => env.emit({ kind: 'waiting', ...env.ref(lead), spelling: key }), env.signal);
  try {
    const meanwhile = lookupAll();
    if (meanwhile) return hit(meanwhile);
    const events = nodeEvents(env.ref(lead), (e) => env.emit(e));
    const ctx: RealizeContext = {
      store: env.store, context: env.context, signal: env.signal ?? new AbortController().signal,
      events, log: (line) => events.emit({ kind: 'log', line }),
      emitReduction: () => {
        throw new NomiaError('usage', `namespace ${ns.id} emitted a reduction while tying a knot; only its members' outputs are recorded`, {
          hint: 'return the refined names as the outputs\' names instead',
        });
      },
    };
    const t0 = Date.now();
    const results = await env.run(async () => {
      for (const m of members) env.emit({ kind: 'realizing', ...env.ref(m), spelling: m.spelling });
      return ns.realizeKnot!(knotMembers, ctx);
    });
    if (!Array.isArray(results) || results.length !== members.length) {
      fail(members, `the namespace ${ns.id} returned ${Array.isArray(results) ? results.length : 'no list of'} outputs for ${members.length} members`, 'report it to the namespace\'s authors');
    }
    const out = new Map<number, Outputs>();
    members.forEach((m, i) => {
      const outs = results[i]!;
      for (const output of Object.keys(m.signature.outputs)) {
        if (!outs?.[output]) fail(members, `the namespace ${ns.id} did not produce the output \`${output}\` of \`${m.label}\``, 'report it to the namespace\'s authors');
      }
      out.set(m.id, outs);
    });
    env.count('ran', members.length);
    for (const [i, m] of members.entries()) await env.accept(m, knotMembers[i]!.inputs, out.get(m.id)!, t0);
    for (const m of members) {
      const outs = out.get(m.id)!;
      if (!tainted) {
        for (const [output, r] of Object.entries(outs)) {
          const from = env.outputSpelling(m, m.spelling, output);
          record(env.store, { from, namespace: ns.spelling, to: r.name, kind: 'realized' });
          env.emit({ kind: 'reduced', ...env.ref(m), from, to: r.name, source: 'recorded' });
        }
      }
      env.emit({ kind: 'ready', ...env.ref(m), outputs: Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v.name])), ms: Date.now() - t0 });
    }
    return out;
  } finally {
    lock.release();
  }
}
