/**
 * Pictures of a graph without any system tool: dot text laid out and drawn
 * to SVG by Graphviz compiled to WebAssembly (`@hpcc-js/wasm-graphviz`,
 * docs/dependencies.md), and a standalone HTML page around that SVG.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { escapeXml, layeredSvg, skippedColumns } from './layered-svg.js';
import { renderDot, STATE_STYLE, type NodeMark } from './render.js';
import type { Graph } from './types.js';

/**
 * Above this many nodes, or columns skipped by edges (`skippedColumns`), a picture is drawn by
 * `layeredSvg`, fast, instead of Graphviz, whose layout would take seconds to minutes (bench/graph).
 */
export const BIG_GRAPH = { nodes: 150, skipped: 200 } as const;

let loaded: Promise<Graphviz> | undefined;

/** Graphviz's WebAssembly module, compiled once per process (about 0.2 s) and shared. */
function graphviz(): Promise<Graphviz> {
  loaded ??= Graphviz.load();
  return loaded;
}

/** Lay out and draw dot text as an SVG document (Graphviz's `dot` layout). */
export async function dotToSvg(dot: string): Promise<string> {
  return (await graphviz()).dot(dot, 'svg');
}

/** The picture of a graph as SVG: Graphviz's layout of `renderDot`, or for a big graph (`BIG_GRAPH`) `layeredSvg`. */
export async function graphSvg(g: Graph, marks?: readonly NodeMark[]): Promise<string> {
  const big = g.nodes.length > BIG_GRAPH.nodes || skippedColumns(g) > BIG_GRAPH.skipped;
  return big ? layeredSvg(g, marks) : dotToSvg(renderDot(g, marks));
}

/** The legend of the states' colours, as HTML. */
export function stateLegend(): string {
  return Object.values(STATE_STYLE)
    .map((s) => `<span style="background:${s.fill};padding:2px 6px;border:1px solid #888;margin-right:6px">${escapeXml(s.means)}</span>`)
    .join('');
}

/** A standalone HTML page showing `svg` (as `dotToSvg` makes it) under `title`, with the legend. */
export function svgPage(svg: string, title: string): string {
  const body = svg.replace(/^[\s\S]*?(?=<svg)/, '');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:1em}h1{font-size:1em;font-family:monospace;word-break:break-all}</style></head>
<body><h1>${escapeXml(title)}</h1><p>${stateLegend()} dashed arrow: a recorded reduction · dashed box: a knot (cycle)</p>
${body}
</body></html>
`;
}
