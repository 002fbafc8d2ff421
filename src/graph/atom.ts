/**
 * A name that is one atomic name and nothing else: `ns?p=1:id?q=2[/path]`,
 * no inputs, no output selected, its namespace given by id. Such a name may
 * stand for a resource by itself (an object by content, a value), which is
 * for its namespace to say (`Namespace.terminal`).
 */
import type { Graph, GraphParam } from './types.js';

export interface SingleAtom {
  readonly namespace: { readonly id: string; readonly params: readonly GraphParam[] };
  readonly nameId: string;
  /** In written order. */
  readonly params: readonly GraphParam[];
  /** The path inside its result the name selects; empty for none. */
  readonly projection: readonly string[];
}

/** The one atomic name `graph` consists of, or undefined when it is anything more. */
export function singleAtom(graph: Graph): SingleAtom | undefined {
  const [node, ...more] = graph.nodes;
  const [root, ...moreRoots] = graph.roots;
  if (!node || more.length || !root || moreRoots.length || graph.edges.length || root.output !== undefined) return undefined;
  if (node.kind !== 'atomic' || node.namespace.kind !== 'builtin') return undefined;
  return {
    namespace: { id: node.namespace.id, params: node.namespace.params }, nameId: node.nameId, params: node.params,
    projection: root.projection ?? [],
  };
}
