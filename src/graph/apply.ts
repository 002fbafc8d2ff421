/**
 * The graph of a node applied to whole names, `head(a, p: b)`, built from
 * the graphs of `a` and `b` as `flatten` builds it from that text (the
 * engine re-spells a node from its inputs' refined names this way, without
 * printing and parsing the text again: docs/spec/spelling.md, "Spelled by
 * the namespace"). Node numbers differ from flatten's; spellings do not
 * depend on them.
 */
import type { AtomicNode, Edge, Graph, GraphNode, PortKey, Source } from './types.js';

/** One argument: the port it feeds and the graph of the name passed there (one root, no `@x`). */
export interface Argument {
  readonly port: PortKey;
  readonly graph: Graph;
}

/** The graph of `head` applied to `args`; undefined when an argument has several roots or `@x` variables. */
export function applyNode(head: AtomicNode, args: readonly Argument[]): Graph | undefined {
  const nodes: GraphNode[] = [];
  const edges: Edge[] = [];
  const feeds: { port: PortKey; from: Source }[] = [];
  for (const { port, graph } of args) {
    if (graph.roots.length !== 1 || graph.resolvedVariables.length > 0) return undefined;
    const at = nodes.length;
    const moved = (s: Source): Source => ({ ...s, node: s.node + at });
    for (const n of graph.nodes) {
      if (n.kind !== 'atomic') nodes.push({ ...n, id: n.id + at });
      else nodes.push({ ...n, id: n.id + at, namespace: n.namespace.kind === 'named' ? { kind: 'named', source: moved(n.namespace.source) } : n.namespace });
    }
    for (const e of graph.edges) edges.push({ ...e, from: moved(e.from), to: e.to + at });
    feeds.push({ port, from: moved(graph.roots[0]!) });
  }
  const id = nodes.length;
  nodes.push({ ...head, id });
  for (const { port, from } of feeds) edges.push({ from, to: id, port });
  return { nodes, edges, roots: [{ node: id }], openInputs: [], resolvedVariables: [] };
}
