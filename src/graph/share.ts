/**
 * One node per distinct application (DESIGN.md §3): a name that writes the
 * same atom out several times, `f(x: a:a, y: g(a:a))`, wires one node `a:a`
 * into both places, as `let v = a:a in f(x: $v, y: g($v))` does. So the
 * engine describes, spells, looks up, locks and realizes it once per
 * realize, as Nix builds a derivation used twice once and Bazel runs an
 * action once. A chain of 20 services each given the same program and the
 * same directory was 60 nodes, 40 of them two leaves; it is 22.
 *
 * Two nodes are the same when everything a spelling reads of them is
 * (docs/spec/spelling.md, "Node records"): the namespace, the name id, the
 * parameters (in key order, as spelled) and what feeds each port (the same
 * shared node, output and projection). Node numbers, spans and binder names
 * are not read. Members of a cycle are never merged (a cycle is spelled as
 * a unit; two members that spell alike stay two nodes), nor are `@x`
 * variables (each is bound by substitution before a graph is realized).
 *
 * The shared node keeps the number, span and edges of its first occurrence
 * in the text (an error in it points there); nodes are renumbered densely
 * in the order the flattener met them.
 */
import { stronglyConnected } from './scc.js';
import { compareUtf8 } from './bytes.js';
import { comparePorts } from './spell.js';
import type { Edge, Graph, GraphNode, GraphParam, NamespaceRef, OpenInput, Source } from './types.js';

/** `graph` with structurally identical nodes merged; `graph` itself when no two are. */
export function shareIdentical(graph: Graph): Graph {
  const n = graph.nodes.length;
  if (n < 2) return graph;
  const inputs: Edge[][] = Array.from({ length: n }, () => []);
  for (const e of graph.edges) inputs[e.to]!.push(e);
  const deps: number[][] = graph.nodes.map((node, i) => {
    const d = inputs[i]!.map((e) => e.from.node);
    if (node.kind === 'atomic' && node.namespace.kind === 'named') d.push(node.namespace.source.node);
    return d;
  });
  // Class of each node: equal classes are the same node. Dependencies are classed first, so a key can name
  // its inputs by their class (a number), and keys stay the size of one node however deep the name.
  const classOf = new Int32Array(n);
  const byKey = new Map<string, number>();
  let classes = 0;
  for (const comp of stronglyConnected(n, (i) => deps[i]!)) {
    const only = comp[0]!;
    const key = comp.length === 1 && !deps[only]!.includes(only) ? nodeKey(graph.nodes[only]!, inputs[only]!, classOf) : undefined;
    if (key === undefined) {
      for (const m of comp) classOf[m] = classes++;
      continue;
    }
    const known = byKey.get(key);
    if (known !== undefined) classOf[only] = known;
    else byKey.set(key, (classOf[only] = classes++));
  }
  if (classes === n) return graph;
  return merged(graph, classOf, classes);
}

/**
 * What a spelling reads of a node, with its inputs named by class; undefined for an `@x` (never shared).
 * Built as one string, fields separated by NUL and SOH (which no identifier holds and JSON escapes inside
 * values): this runs once per node of every name flattened, so it allocates as little as it can.
 */
function nodeKey(node: GraphNode, inputs: readonly Edge[], classOf: Int32Array): string | undefined {
  if (node.kind === 'resolved') return undefined;
  let key = `${namespaceKey(node.namespace, classOf)}\0${node.nameId}\0${paramsKey(node.params)}`;
  const ports = inputs.length < 2 ? inputs : [...inputs].sort((a, b) => comparePorts(a.port, b.port));
  for (const e of ports) key += `\0${e.port.kind === 'positional' ? `#${e.port.index}` : e.port.name}\u0001${sourceKey(e.from, classOf)}`;
  return key;
}

/** Parameters in key order, as a spelling takes them (keys are unique: the parser refuses one given twice). */
function paramsKey(params: readonly GraphParam[]): string {
  let sorted = true;
  for (let i = 1; i < params.length && sorted; i++) sorted = compareUtf8(params[i - 1]!.key, params[i]!.key) < 0;
  return JSON.stringify(sorted ? params : [...params].sort((a, b) => compareUtf8(a.key, b.key)));
}

function namespaceKey(ns: NamespaceRef, classOf: Int32Array): string {
  switch (ns.kind) {
    case 'builtin': return ns.params.length ? `b${ns.id}\u0001${JSON.stringify(ns.params)}` : `b${ns.id}`;
    case 'named': return `n${sourceKey(ns.source, classOf)}`;
    case 'default': return 'd';
  }
}

function sourceKey(s: Source, classOf: Int32Array): string {
  const at = classOf[s.node]!;
  if (s.output === undefined && !s.projection) return String(at);
  return `${at}\u0001${s.output ?? ''}\u0001${s.projection ? JSON.stringify(s.projection) : ''}`;
}

/** The graph with one node per class: the first of each, renumbered in order, and only its edges. */
function merged(graph: Graph, classOf: Int32Array, classes: number): Graph {
  const first = new Int32Array(classes).fill(-1);
  graph.nodes.forEach((_, i) => {
    if (first[classOf[i]!] === -1) first[classOf[i]!] = i;
  });
  const newId = new Int32Array(graph.nodes.length);
  const kept: number[] = [];
  graph.nodes.forEach((_, i) => {
    if (first[classOf[i]!] === i) kept.push(i);
  });
  kept.forEach((old, id) => {
    newId[old] = id;
  });
  const to = (old: number): number => newId[first[classOf[old]!]!]!;
  const source = (s: Source): Source => ({ ...s, node: to(s.node) });
  const nodes = kept.map((old, id): GraphNode => {
    const node = graph.nodes[old]!;
    if (node.kind === 'resolved') return { ...node, id };
    return { ...node, id, namespace: node.namespace.kind === 'named' ? { kind: 'named', source: source(node.namespace.source) } : node.namespace };
  });
  const edges = graph.edges.filter((e) => first[classOf[e.to]!] === e.to).map((e): Edge => ({ ...e, from: source(e.from), to: newId[e.to]! }));
  const openInputs: OpenInput[] = graph.openInputs.filter((o) => first[classOf[o.node]!] === o.node).map((o) => ({ ...o, node: newId[o.node]! }));
  return { ...graph, nodes, edges, roots: graph.roots.map(source), openInputs };
}
