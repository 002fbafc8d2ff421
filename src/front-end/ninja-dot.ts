/**
 * `nomia ninja -t graph [TARGET…]`: the targets' part of the manifest as a
 * graphviz dot file, line for line as ninja 1.11's `GraphViz` writes it
 * (docs/namespaces/ninja.md, "Tools"): each path a box labelled with it;
 * an edge of one input and one output an arrow labelled with its rule
 * (with ninja's leading space); any other edge an ellipse of its rule, an
 * arrow to each output and a headless one from each input (dotted for an
 * order-only one). ninja names nodes and edges by their addresses in
 * memory (`"0x55d4…"`), which differ on every run; here they are numbered
 * in the order they are first met (`"0x1"`, `"0x2"`…), so the same
 * manifest gives the same file.
 */
import type { Edge } from '../namespaces/ninja/manifest.js';
import type { GraphNode, NinjaGraph } from './ninja-graph.js';

/** The dot file of the targets `args` (none: the defaults, else the roots) of `g`. */
export function dotGraph(g: NinjaGraph, args: readonly string[]): string {
  const ids = new Map<GraphNode | Edge, string>();
  const id = (x: GraphNode | Edge) => {
    let s = ids.get(x);
    if (s === undefined) ids.set(x, (s = `0x${(ids.size + 1).toString(16)}`));
    return s;
  };
  const out: string[] = ['digraph ninja {\n', 'rankdir="LR"\n', 'node [fontsize=10, shape=box, height=0.25]\n', 'edge [fontsize=10]\n'];
  const visitedNodes = new Set<GraphNode>();
  const visitedEdges = new Set<Edge>();
  const add = (node: GraphNode): void => {
    if (visitedNodes.has(node)) return;
    visitedNodes.add(node);
    out.push(`"${id(node)}" [label="${node.path.replaceAll('\\', '/')}"]\n`);
    const edge = node.inEdge;
    if (!edge || visitedEdges.has(edge)) return;
    visitedEdges.add(edge);
    const inputs = g.inputs(edge).map((p) => g.node(p)!);
    const outputs = g.outputs(edge).map((p) => g.node(p)!);
    if (inputs.length === 1 && outputs.length === 1) {
      out.push(`"${id(inputs[0]!)}" -> "${id(outputs[0]!)}" [label=" ${edge.rule}"]\n`);
    } else {
      out.push(`"${id(edge)}" [label="${edge.rule}", shape=ellipse]\n`);
      for (const o of outputs) out.push(`"${id(edge)}" -> "${id(o)}"\n`);
      const orderFrom = inputs.length - edge.orderOnly.length;
      inputs.forEach((i, k) => out.push(`"${id(i)}" -> "${id(edge)}" [arrowhead=none${k >= orderFrom ? ' style=dotted' : ''}]\n`));
    }
    inputs.forEach(add);
  };
  g.targets(args).forEach(add);
  out.push('}\n');
  return out.join('');
}
