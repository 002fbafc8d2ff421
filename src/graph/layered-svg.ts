/**
 * A big graph's picture, drawn by our own simple layered layout instead of
 * Graphviz: Graphviz's `dot` layout takes seconds on a 1 000-node build graph
 * and overflows its stack on one with long edges (bench/graph), where a
 * picture of that size is for seeing the shape, not every wire. Columns are
 * the longest path from the graph's sources (a knot's members share one),
 * rows within a column follow the mean row of a node's inputs, edges are
 * straight lines. Nodes carry the same state classes and colours as the
 * Graphviz picture; a knot is a dashed box; a recorded reduction is named in
 * the node's tooltip and dashes its outline.
 */
import { nodeLabel, STATE_STYLE, type NodeMark } from './render.js';
import { stronglyConnected } from './scc.js';
import type { Graph } from './types.js';

const CHAR = 7.2;
const ROW = 26;
const BOX = 20;
const GAP = 60;

/** `s` as XML text or attribute value. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The graph as an SVG document, laid out in columns (see the module comment). */
interface Columns {
  readonly inputs: readonly (readonly number[])[];
  readonly components: readonly (readonly number[])[];
  /** Each node's component (index into `components`). */
  readonly component: Int32Array;
  /** Each node's column: the longest path to it from a source, a knot's members sharing one. */
  readonly column: Int32Array;
}

function columnsOf(g: Graph): Columns {
  const inputs: number[][] = g.nodes.map(() => []);
  for (const e of g.edges) inputs[e.to]!.push(e.from.node);
  const components = stronglyConnected(g.nodes.length, (n) => inputs[n]!);
  const component = new Int32Array(g.nodes.length);
  components.forEach((c, i) => c.forEach((n) => { component[n] = i; }));
  // Components come dependencies first, so every input outside a component has its column already.
  const column = new Int32Array(g.nodes.length);
  for (const [i, c] of components.entries()) {
    let col = 0;
    for (const n of c) for (const d of inputs[n]!) if (component[d] !== i) col = Math.max(col, column[d]! + 1);
    for (const n of c) column[n] = col;
  }
  return { inputs, components, component, column };
}

/**
 * How many columns the graph's edges skip in all: each skipped column is a
 * point Graphviz's `dot` must place and untangle (a "virtual node"), the
 * main cost of its layout (bench/graph: 100 nodes with long edges take it
 * tens of seconds).
 */
export function skippedColumns(g: Graph): number {
  const { column } = columnsOf(g);
  return g.edges.reduce((sum, e) => sum + Math.max(0, Math.abs(column[e.to]! - column[e.from.node]!) - 1), 0);
}

export function layeredSvg(g: Graph, marks?: readonly NodeMark[]): string {
  const { inputs, components, component, column } = columnsOf(g);
  const columns: number[][] = [];
  g.nodes.forEach((_, n) => (columns[column[n]!] ??= []).push(n));
  const row = new Float64Array(g.nodes.length);
  const bary = (n: number) => {
    const ins = inputs[n]!.filter((d) => column[d]! < column[n]!);
    return ins.length ? ins.reduce((s, d) => s + row[d]!, 0) / ins.length : n;
  };
  for (const nodes of columns) {
    // A knot's members sit together, ordered by their mean; then by the mean of their inputs' rows.
    const key = new Map<number, number>();
    for (const n of nodes) key.set(component[n]!, (key.get(component[n]!) ?? 0) + bary(n));
    nodes.sort((a, b) => key.get(component[a]!)! - key.get(component[b]!)! || component[a]! - component[b]! || a - b);
    nodes.forEach((n, i) => { row[n] = i; });
  }
  const labels = g.nodes.map((n) => nodeLabel(n));
  const widths = columns.map((nodes) => Math.max(...nodes.map((n) => labels[n]!.length)) * CHAR + 12);
  const left: number[] = [];
  widths.reduce((x, w, i) => { left[i] = x; return x + w + GAP; }, 10);
  const at = (n: number) => ({ x: left[column[n]!]!, y: 10 + row[n]! * ROW, w: labels[n]!.length * CHAR + 12 });
  const width = Math.ceil(left.at(-1)! + widths.at(-1)! + 10);
  const height = Math.ceil(20 + Math.max(...columns.map((c) => c.length)) * ROW);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Courier,monospace" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    '<g class="edges" stroke="#777" stroke-width="0.6">',
  ];
  for (const e of g.edges) {
    const a = at(e.from.node);
    const b = at(e.to);
    out.push(`<line x1="${(a.x + a.w).toFixed(1)}" y1="${a.y + BOX / 2}" x2="${b.x.toFixed(1)}" y2="${b.y + BOX / 2}"/>`);
  }
  out.push('</g>');
  for (const c of components) {
    if (c.length < 2 && !inputs[c[0]!]!.includes(c[0]!)) continue;
    const top = Math.min(...c.map((n) => at(n).y));
    const bottom = Math.max(...c.map((n) => at(n).y)) + BOX;
    const x = at(c[0]!).x;
    out.push(`<g class="cluster"><title>knot</title><rect x="${x - 4}" y="${top - 3}" width="${widths[column[c[0]!]!]! + 8}" height="${bottom - top + 6}" fill="none" stroke="#555" stroke-dasharray="4 3" rx="4"/></g>`);
  }
  g.nodes.forEach((_, n) => {
    const { x, y, w } = at(n);
    const mark = marks?.[n];
    const style = mark ? STATE_STYLE[mark.state] : undefined;
    const tip = `${labels[n]}${style ? ` (${style.means})` : ''}${mark?.reducesTo ? `\nreduces to ${mark.reducesTo}` : ''}`;
    out.push(`<g class="node${mark ? ` state-${mark.state}` : ''}"><title>${escapeXml(tip)}</title>`
      + `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BOX}" fill="${style?.fill ?? 'white'}" stroke="black"${mark?.reducesTo ? ' stroke-dasharray="3 2"' : ''}/>`
      + `<text x="${(x + 6).toFixed(1)}" y="${y + 14}">${escapeXml(labels[n]!)}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
