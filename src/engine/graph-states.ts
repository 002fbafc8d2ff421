/**
 * Where each node of a name stands against the store, without realizing
 * anything (the colours of `nomia graph --svg` and the web view):
 *  - `in-store`: the node names a present resource by itself (an object by content in the store, a value);
 *  - `reducible`: a recorded reduction from its spelling leads to present results, so realize would look it up;
 *  - `must-run`: realize would run it (nothing recorded, a result gone, or contextual: it runs every time);
 *  - `unknown`: the name cannot be resolved here (an unknown namespace, an unbound `@x`, a named namespace).
 * Resolving describes nodes and may start a namespace process; it runs no namespace's `realize`.
 */
import type { Graph } from '../graph/types.js';
import { nodeLabel, type NodeMark } from '../graph/render.js';
import { flatten } from '../graph/flatten.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Store } from '../store/store.js';
import { fromReductions } from './outputs.js';
import { lookup, materialize } from './reductions.js';
import { resolve } from './resolve.js';

/** A name's graph with a mark per node (indexed by node id). */
export interface GraphStates {
  readonly graph: Graph;
  readonly marks: readonly NodeMark[];
  /** Why the states are all `unknown` but for objects in the store: the resolution error's message. */
  readonly unresolved?: string;
}

/** Whether `label` (a node without inputs) names a resource that is present by itself. */
function present(store: Store, label: string, registry: Registry): boolean {
  try {
    return materialize(store, label, registry)?.chain.length === 1;
  } catch {
    return false;
  }
}

/** The states of the nodes of the name `text` in `store` (see the module comment). */
export async function graphStates(store: Store, text: string, registry: Registry): Promise<GraphStates> {
  const name = parseName(text);
  const graph = flatten(name, text);
  let resolved;
  try {
    resolved = await resolve(name, registry, text);
  } catch (e) {
    const marks = graph.nodes.map((n): NodeMark => ({
      state: graph.edges.some((e) => e.to === n.id) || n.kind !== 'atomic' || !present(store, nodeLabel(n), registry) ? 'unknown' : 'in-store',
    }));
    return { graph, marks, unresolved: (e as Error).message };
  }
  const marks = resolved.nodes.map((n): NodeMark => {
    if (n.inputs.length === 0 && present(store, n.label, registry)) return { state: 'in-store' };
    const row = n.tainted ? undefined : lookup(store, n.spelling, n.namespace.spelling, registry);
    const reducesTo = row ? { reducesTo: row.to } : {};
    if (n.tainted || !fromReductions(store, registry, n, n.spelling)) return { state: 'must-run', ...reducesTo };
    return { state: 'reducible', ...reducesTo };
  });
  return { graph, marks };
}
