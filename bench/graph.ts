/**
 * bench/graph: drawing a 1 000-node graph to SVG (issue 20), the way
 * `nomia graph --svg` does: flatten, dot text with a state per node, then
 * Graphviz's layout compiled to WebAssembly. Printed beside the Graphviz
 * `dot` binary on the same dot text when one is installed (it is not on
 * the project's machines: then the output says so).
 *
 * The graph is build-like: each step takes the one before it (a chain keeps
 * it connected) and up to two random earlier ones.
 * Target (issue 20): under 1 s. The first render includes compiling the
 * WebAssembly module (once per process); both figures are printed.
 * Run: npm run bench:graph   (or node dist/bench/graph.js)
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { flatten } from '../src/graph/flatten.js';
import { renderDot, type NodeMark, type NodeState } from '../src/graph/render.js';
import { BIG_GRAPH, dotToSvg, graphSvg } from '../src/graph/svg.js';
import { parseName } from '../src/name/parse.js';

let seed = 7;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return (seed >>> 8) % n;
}

/**
 * A `compose` of `n` build steps and a final one. `layered`: steps in layers of `width`, each taking one
 * to three of the layer before (a wide build: libraries, then what links them). `random`: step i takes
 * step i-1 and up to two random earlier ones (long edges across the graph: the hard case for a layout).
 */
function buildGraph(n: number, shape: 'layered' | 'random', width = 100): string {
  const decls: string[] = [];
  for (let i = 0; i < n; i++) {
    const inputs = new Set<number>();
    const layer = Math.floor(i / width);
    if (shape === 'layered' && layer > 0) for (let k = 1 + rand(3); k > 0; k--) inputs.add((layer - 1) * width + rand(width));
    if (shape === 'random' && i > 0) inputs.add(i - 1);
    if (shape === 'random') for (let k = rand(3); k > 0 && i > 1; k--) inputs.add(rand(i - 1));
    const args = [...inputs].map((j, p) => `i${p}: $s${j}`).join(', ');
    decls.push(`s${i} = exec:run?args=[sh, -c, "step ${i}"]${args ? `(${args})` : ''}`);
  }
  const last = shape === 'layered' ? [...Array(width).keys()].map((k) => n - width + k) : [n - 1];
  return `compose ${decls.join('; ')}; exec:run?args=[sh, -c, "all"](${last.map((j) => `t${j}: $s${j}`).join(', ')})`;
}

const probe = spawnSync('dot', ['-V'], { encoding: 'utf8' });
console.log(`bench/graph: a graph drawn to SVG as \`nomia graph --svg\` does (target: 1 000 nodes in under 1 s;`);
console.log(`  over ${BIG_GRAPH.nodes} nodes or ${BIG_GRAPH.skipped} columns skipped by edges by Nomia's layered layout, else by Graphviz compiled to WebAssembly)`);
if (probe.error) console.log('  peer: Graphviz `dot` is not installed here: no figure to compare with');
const states: NodeState[] = ['in-store', 'reducible', 'must-run'];
const cases = [['layered', 999, 'nomia'], ['random', 999, 'nomia'], ['layered', 999, 'wasm']] as const;
for (const [shape, n, drawer] of cases) {
  const text = buildGraph(n, shape);
  const t0 = performance.now();
  const graph = flatten(parseName(text), text);
  const marks: NodeMark[] = graph.nodes.map((_, i) => ({ state: states[i % 3]! }));
  const dot = renderDot(graph, marks);
  const tDot = performance.now() - t0;
  const t1 = performance.now();
  const svg = drawer === 'nomia' ? await graphSvg(graph, marks) : await dotToSvg(dot);
  const draw = performance.now() - t1;
  const total = tDot + draw;
  console.log(`  ${shape}, ${graph.nodes.length} nodes, ${graph.edges.length} edges, ${drawer === 'nomia' ? 'as nomia graph --svg' : 'Graphviz (wasm) dot layout'} (SVG ${(svg.length / 1024).toFixed(0)} KiB)`);
  console.log(`    parse + flatten + dot text   ${tDot.toFixed(0).padStart(6)} ms`);
  console.log(`    layout + SVG                 ${draw.toFixed(0).padStart(6)} ms   total ${total.toFixed(0)} ms${graph.nodes.length >= 1000 ? `: target ${total < 1000 ? 'met' : 'MISSED'}` : ''}`);
  if (!probe.error) {
    const t2 = performance.now();
    const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 30 });
    console.log(`    peer: dot -Tsvg              ${(performance.now() - t2).toFixed(0).padStart(6)} ms${r.status === 0 ? '' : ` (failed: ${r.stderr.slice(0, 200)})`}`);
  }
}
