/**
 * Realizing one node (DESIGN.md §7), backwards from what is asked:
 *
 * 1. A node that is not tainted is looked up by its static spelling: if a
 *    recorded reduction leads to a resource that is present, it is done and
 *    its inputs are never touched.
 * 2. A namespace that knows a more refined name before running anything
 *    (`reduce`) has that realized instead.
 * 3. Else its inputs are realized and checked against the input types, the
 *    node is re-spelled from the refined names of its inputs and looked up
 *    again: an input that was rebuilt but came out identical gives the same
 *    spelling, so everything downstream is reused (early cutoff).
 *    Contextual nodes always run.
 * 4. Else it runs the steps of `step.ts` under that refined spelling.
 */
import type { Graph } from '../graph/types.js';
import { portLabel, type Edge } from '../graph/types.js';
import type { Resource } from '../resource/types.js';
import { pick, ref, type Outputs } from './outputs.js';
import { record } from './reductions.js';
import type { ResolvedNode } from './resolve.js';
import { respell } from './respell.js';
import { Cancelled, checkInputs, lookUp, runUnit, type StepEnv } from './step.js';

/** What realizing a node needs beyond a unit's steps: the graph it is part of. */
export interface NodeEnv extends StepEnv {
  readonly graph: Graph;
  readonly nodes: readonly ResolvedNode[];
  /** Whether the run was cancelled (another node failed): nothing new starts. */
  readonly cancelled: () => boolean;
  /** Realize a whole other name in this run (an a-priori reduction's target). */
  realizeName(text: string): Promise<readonly Resource[]>;
}

export async function realizeNode(env: NodeEnv, n: ResolvedNode): Promise<Outputs> {
  if (env.cancelled()) throw new Cancelled();
  const known = n.tainted ? undefined : lookUp(env, [n], [n.spelling], [false]);
  if (known) return known[0]!;
  const reduced = await reduceFirst(env, n);
  if (reduced) return reduced;
  const inputs = await realizeInputs(env, n);
  checkInputs(n, inputs);
  const refined = await respell(n, env.graph, inputs, env.registry);
  if (!n.signature.contextual && refined !== n.spelling) {
    const hit = lookUp(env, [n], [refined], [true]);
    if (hit) return hit[0]!;
  }
  const spellings = n.tainted || refined === n.spelling ? [refined] : [refined, n.spelling];
  const [outs] = await runUnit(env, {
    members: [n], spellings: [refined], recordUnder: [spellings], logUnder: spellings, lock: refined,
    lookup: !n.signature.contextual, early: [refined !== n.spelling], knot: false,
    doing: `realizing ${n.label}${n.at ? ` (${n.at})` : ''}`,
    realize: async (ctx) => [await n.namespace.realize(n.request, inputs, ctx)],
  });
  return outs!;
}

/** An a-priori reduction: the namespace knows a more refined name without running anything; realize that instead. */
async function reduceFirst(env: NodeEnv, n: ResolvedNode): Promise<Outputs | undefined> {
  if (!n.namespace.reduce || Object.keys(n.signature.outputs).length !== 1) return undefined;
  const to = await n.namespace.reduce(n.request, env.context);
  if (to === undefined) return undefined;
  if (!n.tainted) {
    record(env.store, { from: n.spelling, namespace: n.namespace.spelling, to, kind: 'a-priori' });
    env.emit({ kind: 'reduced', ...ref(n), from: n.spelling, to, source: 'recorded' });
  }
  const [root] = await env.realizeName(to);
  return { [n.signature.defaultOutput]: root! };
}

/** The node's inputs, realized (in parallel), by port. */
async function realizeInputs(env: NodeEnv, n: ResolvedNode): Promise<Record<string, Resource>> {
  const inputs: Record<string, Resource> = {};
  await Promise.all(n.inputs.map(async (e: Edge) => {
    inputs[portLabel(e.port)] = pick(env.nodes[e.from.node]!, e.from, await env.realizeNode(e.from.node));
  }));
  return inputs;
}
