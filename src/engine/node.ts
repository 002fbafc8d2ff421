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
import { NomiaError } from '../errors.js';
import type { Spelling } from '../graph/spell.js';
import type { Graph } from '../graph/types.js';
import { portLabel, type Edge } from '../graph/types.js';
import type { Resource } from '../resource/types.js';
import { pick, ref, type Outputs } from './outputs.js';
import { record } from './reductions.js';
import type { ResolvedNode } from './resolve.js';
import { respell, type Selections } from './respell.js';
import type { PrivateScopes } from './private-results.js';
import { substitute } from './substitute.js';
import { Cancelled, checkInputs, failedEvent, lookUp, runUnit, WouldRun, type StepEnv } from './step.js';

/** What realizing a node needs beyond a unit's steps: the graph it is part of. */
export interface NodeEnv extends StepEnv {
  readonly graph: Graph;
  readonly nodes: readonly ResolvedNode[];
  /** Whether the run was cancelled (another node failed): nothing new starts. */
  readonly cancelled: () => boolean;
  /** Realize a whole other name in this run (an a-priori reduction's target), for node `asker`. */
  realizeName(text: string, asker: number): Promise<readonly Resource[]>;
  /** The private stores of this realize: a node with a private input is realized into its owner's. */
  readonly privateScopes: PrivateScopes;
  /** The nodes run again although a result is recorded (`--rebuild`/`--check`: the name's results), and how. */
  readonly redo?: { readonly how: 'rebuild' | 'check'; readonly nodes: ReadonlySet<number> };
  /** The units being built by the builds that asked for this realize, outermost first: asking for one again is a cycle. */
  readonly building: readonly { readonly spelling: Spelling; readonly label: string }[];
  /** The content names of projected inputs this realize has worked out (respell.ts). */
  readonly selections: Selections;
}

export async function realizeNode(env: NodeEnv, n: ResolvedNode): Promise<Outputs> {
  if (env.cancelled()) throw new Cancelled();
  const redo = env.redo?.nodes.has(n.id) ? env.redo.how : undefined;
  const known = n.tainted || redo ? undefined : await lookUp(env, [n], [n.spelling], [false]);
  if (known) return known[0]!;
  // The graph's own spelling first: a cached result found here spares realizing the inputs at all.
  if (!n.tainted && !redo && await substitute(env, env.store, [n], [n.spelling])) {
    const fetched = await lookUp(env, [n], [n.spelling], [false]);
    if (fetched) return fetched[0]!;
  }
  const reduced = await reduceFirst(env, n);
  if (reduced) return reduced;
  const inputs = await realizeInputs(env, n).catch((e: unknown) => {
    // A dry run: what needs a node that would run would run too (its spelling is not known before).
    if (e instanceof WouldRun) env.emit({ kind: 'would-run', ...ref(n) });
    throw e;
  });
  checkInputs(n, inputs);
  const priv = env.privateScopes.of(n.label, inputs);
  const refined = await respell(n, env.graph, inputs, env.registry, env.store, env.selections);
  if (!n.signature.contextual && refined !== n.spelling && !redo) {
    const hit = await lookUp(env, [n], [refined], [true], priv);
    if (hit) return hit[0]!;
  }
  refuseCycle(env, n, refined);
  const spellings = n.tainted || refined === n.spelling ? [refined] : [refined, n.spelling];
  // The log is kept under the static spelling even for a tainted node: there it is the log of the
  // name's latest run (`nomia log NAME`).
  const [outs] = await runUnit(env, {
    members: [n], spellings: [refined], recordUnder: [spellings], logUnder: [refined, n.spelling], lock: refined,
    inputs: [inputs], ...(priv ? { priv } : {}), ...(redo ? { redo } : {}),
    lookup: !n.signature.contextual, early: [refined !== n.spelling], knot: false,
    doing: `realizing ${n.label}${n.at ? ` (${n.at})` : ''}`,
    realize: async (ctx) => [await n.namespace.realize(n.request, inputs, ctx)],
  });
  return outs!;
}

/** A build asking, through the daemon, for a unit it (or a build that asked for it) is building would wait on its own lock. */
function refuseCycle(env: NodeEnv, n: ResolvedNode, refined: Spelling): void {
  const cycle = env.building.findIndex((b) => b.spelling === refined);
  if (cycle < 0) return;
  const chain = [...env.building.slice(cycle).map((b) => b.label), n.label].map((l) => `\`${l}\``).join(' → ');
  const e = new NomiaError('realize/cycle', `\`${n.label}\` was asked for while it is being built, by itself or by what it asked for (${chain}): it would wait for itself forever`, {
    hint: 'a build cannot realize its own name: realize what it needs instead, or pass it as an input',
  });
  env.emit(failedEvent(n, e));
  throw e;
}

/** An a-priori reduction: the namespace knows a more refined name without running anything; realize that instead. */
async function reduceFirst(env: NodeEnv, n: ResolvedNode): Promise<Outputs | undefined> {
  if (!n.namespace.reduce || Object.keys(n.signature.outputs).length !== 1) return undefined;
  const to = await n.namespace.reduce(n.request, env.context);
  if (to === undefined) return undefined;
  // Reduced from the context without a declared dependency: the memo cannot tell when it would change.
  if (n.signature.contextual) env.dependencies.untrack(n.label);
  if (!n.tainted) {
    record(env.store, { from: n.spelling, namespace: n.namespace.spelling, to, kind: 'a-priori' });
    env.emit({ kind: 'reduced', ...ref(n), from: n.spelling, to, source: 'recorded' });
  }
  const [root] = await env.realizeName(to, n.id);
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
