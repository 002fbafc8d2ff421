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
 * outputs are recorded under its spelling: the steps of `step.ts`, as for a
 * node. A cycle has no refined spelling: a changed input from outside that
 * comes out identical does not make it a lookup again (no early cutoff), and
 * a tainted cycle always runs and records nothing (its spellings do not say
 * what it produced). Its log is kept under every member's spelling.
 */
import { NomiaError } from '../errors.js';
import { stronglyConnected } from '../graph/scc.js';
import { portLabel } from '../graph/types.js';
import type { KnotMember, KnotSource } from '../namespace/types.js';
import type { Resource } from '../resource/types.js';
import { pick, type Outputs } from './outputs.js';
import type { ResolvedNode } from './resolve.js';
import { Cancelled, checkInputs, failedEvent, lookUp, runUnit, withTrace, WouldRun, type StepEnv } from './step.js';

function fail(members: readonly ResolvedNode[], why: string, hint: string, code: 'usage' | 'namespace/contract' = 'usage'): never {
  const first = members[0]!;
  throw new NomiaError(code, `cannot tie the knot through ${members.map((m) => `\`${m.label}\``).join(', ')}${first.at ? ` (${first.at})` : ''}: ${why}`, { hint });
}

/** Realize the cycle `members` (ascending node ids) of the run's `nodes`; the outputs of each member by node id. */
export async function realizeKnot(env: StepEnv, nodes: readonly ResolvedNode[], members: readonly ResolvedNode[]): Promise<Map<number, Outputs>> {
  const ns = members[0]!.namespace;
  if (members.some((m) => m.namespace !== ns)) {
    fail(members, 'its members are names of different namespaces', 'a knot is tied by one namespace: keep the cycle inside it');
  }
  if (!ns.realizeKnot) fail(members, `the namespace ${ns.id} says it ties knots but cannot (it has no realizeKnot)`, 'report it to the namespace\'s authors', 'namespace/contract');
  const byId = (outs: readonly Outputs[]) => new Map(members.map((m, i) => [m.id, outs[i]!]));
  // A cycle has no refined spelling: it is looked up and recorded under its members' own, unless tainted.
  const tainted = members.some((m) => m.tainted);
  const spellings = members.map((m) => m.spelling);
  const early = members.map(() => false);
  const known = tainted ? undefined : await lookUp(env, members, spellings, early);
  if (known) return byId(known);
  const knotMembers = await knotInputs(env, nodes, members);
  const results = await runUnit(env, {
    members, spellings, early, knot: true, lookup: !tainted,
    recordUnder: members.map((m) => (tainted ? [] : [m.spelling])), logUnder: spellings,
    // One lock for the cycle: every member's spelling derives from the component's, so any one names it.
    lock: [...spellings].sort()[0]!,
    doing: `tying the knot through ${members[0]!.label}${members[0]!.at ? ` (${members[0]!.at})` : ''}`,
    inputs: knotMembers.map((k) => k.inputs),
    realize: (ctx) => ns.realizeKnot!(knotMembers, ctx),
  });
  return byId(results);
}

/**
 * Inputs from outside the cycle come first, checked against their types; inside it, each port is told which member feeds it.
 * The checks run once every input is in, in the members' order, so a cycle with several wrong inputs always names the
 * first member's (which input finished first would otherwise decide it).
 */
async function knotInputs(env: StepEnv, nodes: readonly ResolvedNode[], members: readonly ResolvedNode[]): Promise<KnotMember[]> {
  const index = new Map(members.map((m, i) => [m.id, i]));
  const gathered = await Promise.all(members.map(async (m) => {
    const inputs: Record<string, Resource> = {};
    const knots: Record<string, KnotSource> = {};
    await Promise.all(m.inputs.map(async (e) => {
      const inside = index.get(e.from.node);
      if (inside === undefined) {
        inputs[portLabel(e.port)] = pick(nodes[e.from.node]!, e.from, await env.realizeNode(e.from.node));
      } else {
        const from = members[inside]!;
        knots[portLabel(e.port)] = { member: inside, output: e.from.output ?? from.signature.defaultOutput, ...(e.from.projection ? { projection: e.from.projection } : {}) };
      }
    }));
    return { request: m.request, inputs, knots };
  }));
  members.forEach((m, i) => checkInputs(m, gathered[i]!.inputs));
  return gathered;
}

/** The cycles of the graph (resolution let through only those whose namespaces tie knots): each member's cycle. */
export function knotsOf(nodes: readonly ResolvedNode[]): Map<number, ResolvedNode[]> {
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
 * Realize the cycle `members` of the run's `nodes` unless the run is `cancelled`, as the realize of a graph
 * asks for it: a failure is reported (a `failed` event) and traced as its first member's.
 */
export async function tieKnot(env: StepEnv, nodes: readonly ResolvedNode[], members: readonly ResolvedNode[], cancelled: AbortSignal): Promise<Map<number, Outputs>> {
  if (cancelled.aborted) throw new Cancelled();
  try {
    return await realizeKnot(env, nodes, members);
  } catch (e) {
    if (e instanceof Cancelled || e instanceof WouldRun) throw e;
    const lead = members[0]!;
    env.emit(failedEvent(lead, e));
    throw withTrace(e, `tying the knot through ${lead.label}${lead.at ? ` (${lead.at})` : ''}`);
  }
}
