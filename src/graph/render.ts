/**
 * Human views of a wiring graph: an indented text listing and Graphviz dot.
 * Nodes are labelled with their atomic name in canonical text.
 */
import type { AtomicName, ParamValue } from '../name/ast.js';
import { print } from '../name/print.js';
import { printSegment } from '../name/print.js';
import { stronglyConnected } from './scc.js';
import type { Spellings } from './spell.js';
import { portLabel, type Graph, type GraphNode, type GraphParam, type Source, type Value } from './types.js';

function astValue(v: Value): ParamValue {
  switch (v.kind) {
    case 'String': return { kind: 'String', value: v.value };
    case 'InputRef': return { kind: 'InputRef', input: { kind: 'Ident', name: v.input } };
    case 'List': return { kind: 'List', items: v.items.map(astValue) };
  }
}

function pid(id: string, params: readonly GraphParam[]) {
  return {
    kind: 'ParameterizedId' as const,
    id: { kind: 'Ident' as const, name: id },
    ...(params.length ? { params: params.map((p) => ({ kind: 'Param' as const, key: { kind: 'Ident' as const, name: p.key }, value: astValue(p.value) })) } : {}),
  };
}

/** The node's own atomic name, with a named namespace shown as `(nN…):`. */
export function nodeLabel(node: GraphNode): string {
  if (node.kind === 'resolved') return `@${node.variable}`;
  const atom: AtomicName = {
    kind: 'AtomicName',
    ...(node.namespace.kind === 'builtin' ? { namespace: { kind: 'BuiltinNamespace' as const, id: pid(node.namespace.id, node.namespace.params) } } : {}),
    id: pid(node.nameId, node.params),
  };
  const text = print({ kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: atom } } });
  return node.namespace.kind === 'named' ? `(${sourceLabel(node.namespace.source)}):${text}` : text;
}

/** `n3`, `n3.out`, `n3.out/bin/bash`. */
export function sourceLabel(s: Source): string {
  return `n${s.node}${s.output === undefined ? '' : `.${s.output}`}${(s.projection ?? []).map((p) => `/${printSegment(p)}`).join('')}`;
}

/** The graph as indented text: one block per node with its inputs, then roots and open inputs. */
export function renderText(g: Graph, spellings?: Spellings): string {
  const lines: string[] = [];
  const inputs = new Map<number, string[]>();
  for (const e of g.edges) {
    const list = inputs.get(e.to) ?? [];
    list.push(`  ${portLabel(e.port)} <- ${sourceLabel(e.from)}`);
    inputs.set(e.to, list);
  }
  for (const node of g.nodes) {
    const at = node.span ? `  (${node.span.start.line}:${node.span.start.column})` : '';
    lines.push(`n${node.id} ${nodeLabel(node)}${at}`);
    if (spellings) lines.push(`  spelling ${spellings.nodes[node.id]}`);
    lines.push(...(inputs.get(node.id) ?? []));
  }
  lines.push(`roots: ${g.roots.map(sourceLabel).join(', ')}`);
  if (g.openInputs.length) lines.push(`open inputs: ${g.openInputs.map((o) => `n${o.node}.${o.port}`).join(', ')}`);
  if (g.resolvedVariables.length) lines.push(`resolved variables: ${g.resolvedVariables.map((v) => `@${v}`).join(', ')}`);
  if (spellings) lines.push(`name spelling: ${spellings.name}`);
  return lines.join('\n');
}

function dotString(s: string): string {
  return JSON.stringify(s);
}

/** How a node stands against the store (engine/graph-states.ts computes it without realizing anything). */
export type NodeState = 'in-store' | 'reducible' | 'must-run' | 'unknown';

/** What a picture adds to a node: its state, and the name a recorded reduction replaces it by. */
export interface NodeMark {
  readonly state: NodeState;
  /** The name the node's spelling reduces to (a dashed edge to it), when a reduction is recorded. */
  readonly reducesTo?: string;
}

/** Fill colours by state, and what each means (the legend of `--html` and the web view). */
export const STATE_STYLE: Readonly<Record<NodeState, { readonly fill: string; readonly means: string }>> = {
  'in-store': { fill: '#b7e1b0', means: 'in the store' },
  reducible: { fill: '#a9cdf0', means: 'reducible by a recorded reduction' },
  'must-run': { fill: '#f6d38b', means: 'must run' },
  unknown: { fill: '#dddddd', means: 'cannot be resolved here' },
};

/** The cycles of a graph (strongly connected components that loop), each as ascending node ids. */
export function knotsOf(g: Graph): number[][] {
  const deps: number[][] = g.nodes.map(() => []);
  for (const e of g.edges) deps[e.to]!.push(e.from.node);
  return stronglyConnected(g.nodes.length, (n) => deps[n]!)
    .filter((c) => c.length > 1 || deps[c[0]!]!.includes(c[0]!))
    .map((c) => [...c].sort((a, b) => a - b));
}

/**
 * The graph in Graphviz dot: data flows along the arrows, from an output into an input.
 * Cycles (knots) are boxed as clusters; with `marks`, nodes are filled by state and each recorded
 * reduction is a dashed edge to the name it reduces to.
 */
export function renderDot(g: Graph, marks?: readonly NodeMark[]): string {
  // Courier, not monospace: Graphviz knows Courier's widths (its SVG asks for `Courier,monospace`); for
  // another font it guesses, and a browser then draws long labels past their boxes.
  const lines = ['digraph nomia {', '  rankdir=LR;', '  node [shape=box, fontname="Courier"];'];
  for (const node of g.nodes) {
    const mark = marks?.[node.id];
    const style = mark ? `, style=filled, fillcolor=${dotString(STATE_STYLE[mark.state].fill)}, class=${dotString(`state-${mark.state}`)}, tooltip=${dotString(STATE_STYLE[mark.state].means)}` : '';
    lines.push(`  n${node.id} [label=${dotString(nodeLabel(node))}${style}];`);
  }
  knotsOf(g).forEach((members, i) => {
    lines.push(`  subgraph cluster_knot${i} { label="knot"; style="rounded,dashed"; ${members.map((m) => `n${m};`).join(' ')} }`);
  });
  for (const e of g.edges) {
    const from = sourceLabel(e.from).slice(String(e.from.node).length + 1);
    const label = from ? `${from} → ${portLabel(e.port)}` : portLabel(e.port);
    lines.push(`  n${e.from.node} -> n${e.to} [label=${dotString(label)}];`);
  }
  for (const node of g.nodes) {
    if (node.kind === 'atomic' && node.namespace.kind === 'named') {
      lines.push(`  n${node.namespace.source.node} -> n${node.id} [label="namespace", style=dashed];`);
    }
  }
  marks?.forEach((m, i) => {
    if (m.reducesTo === undefined) return;
    lines.push(`  red${i} [shape=note, label=${dotString(m.reducesTo)}];`);
    lines.push(`  n${i} -> red${i} [label="reduces to", style=dashed, color="#3572b0", arrowhead=empty];`);
  });
  g.roots.forEach((r, i) => {
    lines.push(`  root${i} [shape=plaintext, label=${dotString(g.roots.length === 1 ? 'result' : `result ${i}`)}];`);
    lines.push(`  n${r.node} -> root${i}${r.output || r.projection ? ` [label=${dotString(sourceLabel(r).slice(String(r.node).length + 1))}]` : ''};`);
  });
  g.openInputs.forEach((o, i) => {
    lines.push(`  open${i} [shape=plaintext, label=${dotString(`open: ${o.port}`)}];`);
    lines.push(`  open${i} -> n${o.node} [style=dotted];`);
  });
  lines.push('}');
  return lines.join('\n');
}
