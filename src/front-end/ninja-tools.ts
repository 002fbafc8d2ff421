/**
 * ninja's tools that read the manifest, answered from it as ninja 1.11
 * answers them (docs/namespaces/ninja.md, "Tools"), with the same output a
 * script may parse: `-t targets [depth N | all | rule [NAME]]`,
 * `-t query PATH…`, `-t commands [TARGET…]`, `-t inputs [TARGET…]`,
 * `-t graph [TARGET…]` (ninja-dot.ts), `-t compdb [RULE…]` and
 * `-t clean [TARGET…]`. `-t deps` is refused: nomia keeps no deps log. Clean removes the outputs in the build directory
 * and nothing in the store: the next build puts them back from there.
 */
import { readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import type { Edge, Manifest } from '../namespaces/ninja/manifest.js';
import { manifestIn } from './manifest-in.js';
import { ninjaGraph, type GraphNode, type NinjaGraph } from './ninja-graph.js';
import { dotGraph } from './ninja-dot.js';
import { checkManifest, DEFAULT_CHECKS, type ManifestChecks } from './ninja-warnings.js';

/** The tools answered here; `restat`, `recompact` and `cleandead` (which CMake runs) have nothing to do. */
export const NINJA_TOOLS = ['targets', 'query', 'commands', 'inputs', 'graph', 'compdb', 'clean'] as const;
export type NinjaTool = (typeof NINJA_TOOLS)[number];

/** Whether `tool` is one answered here. */
export const isNinjaTool = (tool: string): tool is NinjaTool => (NINJA_TOOLS as readonly string[]).includes(tool);

/** What a tool says: its standard output, as ninja's. */
export interface ToolAnswer {
  readonly out: string;
}

const isPhony = (e: Edge) => e.rule === 'phony';

/** `-t targets`: by depth from the roots (default `depth 1`; 0 is unlimited), `all` the outputs of every edge, `rule` those of one rule. */
function targets(g: NinjaGraph, args: readonly string[]): string {
  const [mode, arg] = args;
  if (mode === 'all') return g.manifest.edges.flatMap((e) => g.outputs(e).map((o) => `${o}: ${e.rule}\n`)).join('');
  if (mode === 'rule') {
    // Without a rule: the inputs no edge makes (the sources), as often as they are read.
    if (arg === undefined) return g.manifest.edges.flatMap((e) => g.inputs(e).filter((i) => !g.node(i)!.inEdge)).map((p) => `${p}\n`).join('');
    const outs = new Set(g.manifest.edges.filter((e) => e.rule === arg).flatMap((e) => g.outputs(e)));
    return [...outs].sort().map((p) => `${p}\n`).join('');
  }
  if (mode !== undefined && mode !== 'depth') throw new NomiaError('usage', `-t targets: unknown target tool mode '${mode}'`, { hint: 'nomia ninja -t targets [depth N | all | rule [NAME]]' });
  const depth = mode === 'depth' && arg !== undefined ? Number.parseInt(arg, 10) || 0 : 1;
  let out = '';
  const list = (paths: readonly string[], d: number, indent: number): void => {
    for (const p of paths) {
      const e = g.node(p)?.inEdge;
      out += '  '.repeat(indent) + (e ? `${p}: ${e.rule}\n` : `${p}\n`);
      if (e && (d > 1 || d <= 0)) list(g.inputs(e), d - 1, indent + 1);
    }
  };
  list(g.roots(), depth, 0);
  return out;
}

/** `-t query`: each path's edge, its inputs marked `|` (implicit) and `||` (order-only), and the outputs of the edges that read it. */
function query(g: NinjaGraph, args: readonly string[]): string {
  if (args.length === 0) throw new NomiaError('usage', '-t query: expected a target to query', { hint: 'nomia ninja -C DIR -t query TARGET' });
  return g.targets(args).map((n: GraphNode) => {
    let out = `${n.path}:\n`;
    const e = n.inEdge;
    if (e) {
      out += `  input: ${e.rule}\n`;
      const implicitFrom = e.inputs.length;
      const orderFrom = implicitFrom + e.implicitInputs.length;
      g.inputs(e).forEach((p, i) => void (out += `    ${i >= orderFrom ? '|| ' : i >= implicitFrom ? '| ' : ''}${p}\n`));
    }
    out += '  outputs:\n';
    for (const reader of n.outEdges) for (const o of g.outputs(reader)) out += `    ${o}\n`;
    return out;
  }).join('');
}

/** `-t commands`: every command the targets need, inputs first, each edge once; phony edges have none. */
function commands(g: NinjaGraph, args: readonly string[]): string {
  const seen = new Set<Edge>();
  const lines: string[] = [];
  const visit = (e: Edge | undefined): void => {
    if (!e || seen.has(e)) return;
    seen.add(e);
    for (const i of g.inputs(e)) visit(g.node(i)?.inEdge);
    if (!isPhony(e)) lines.push(`${e.bindings['command'] ?? ''}\n`);
  };
  for (const n of g.targets(args)) visit(n.inEdge);
  return lines.join('');
}

/** `-t inputs`: every input of every non-phony edge the targets need, sorted, each once (ninja 1.11's `CollectInputs`). */
function inputs(g: NinjaGraph, args: readonly string[]): string {
  const seen = new Set<Edge>();
  const found: string[] = [];
  const visit = (e: Edge | undefined): void => {
    if (!e || seen.has(e)) return;
    seen.add(e);
    for (const i of g.inputs(e)) visit(g.node(i)?.inEdge);
    if (!isPhony(e)) found.push(...g.inputs(e));
  };
  for (const n of g.targets(args)) visit(n.inEdge);
  // ninja sorts with std::sort, by bytes.
  return [...new Set(found)].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))).map((p) => `${p}\n`).join('');
}

/** A JSON string as ninja's `EncodeJSONString` writes it. */
const json = (s: string) => JSON.stringify(s);

/** `-t compdb`: the compilation database of every edge with inputs (or of the rules named), as ninja prints it. */
function compdb(g: NinjaGraph, dir: string, args: readonly string[]): string {
  const entries = g.manifest.edges.filter((e) => g.inputs(e).length > 0 && (args.length === 0 || args.includes(e.rule))).map((e) =>
    `\n  {\n    "directory": ${json(dir)},\n    "command": ${json(e.bindings['command'] ?? '')},\n    "file": ${json(g.inputs(e)[0]!)},\n    "output": ${json(g.outputs(e)[0]!)}\n  }`);
  return `[${entries.join(',')}\n]\n`;
}

/**
 * `-t clean`: remove what the edges made (with their depfiles and response files), all but generator
 * edges' outputs with no targets, else what each target needs; ninja's `Cleaning... N files.` counts
 * those that were there. Paths are taken in `dir`.
 */
function clean(g: NinjaGraph, dir: string, args: readonly string[]): string {
  const removed = new Set<string>();
  let count = 0;
  const remove = (p: string | undefined): void => {
    if (!p || removed.has(p)) return;
    removed.add(p);
    const at = isAbsolute(p) ? p : join(dir, p);
    try {
      if (statSync(at).isDirectory()) return;
    } catch {
      return;
    }
    rmSync(at, { force: true });
    count++;
  };
  const edgeFiles = (e: Edge) => {
    remove(e.bindings['depfile']);
    remove(e.bindings['rspfile']);
  };
  if (args.length === 0) {
    for (const e of g.manifest.edges) {
      if (isPhony(e) || e.bindings['generator']) continue;
      g.outputs(e).forEach(remove);
      edgeFiles(e);
    }
  } else {
    const cleaned = new Set<string>();
    const visit = (n: GraphNode): void => {
      const e = n.inEdge;
      if (e) {
        if (!isPhony(e)) {
          remove(n.path);
          edgeFiles(e);
        }
        for (const i of g.inputs(e)) if (!cleaned.has(i)) visit(g.node(i)!);
      }
      cleaned.add(n.path);
    };
    g.targets(args).forEach(visit);
  }
  return `Cleaning... ${count} files.\n`;
}

/**
 * Answer ninja's tool `tool` with `args` on `manifest`, read from the build directory `dir`.
 * @throws NomiaError `usage` for a tool not answered here or a malformed request, `ninja/unknown-target` for a path the manifest lacks.
 */
export function ninjaTool(manifest: Manifest, dir: string, tool: string, args: readonly string[]): ToolAnswer {
  const g = ninjaGraph(manifest);
  // ninja runs its tools after `-C`: the directory is its working directory, by its real path.
  const cwd = realpathSync(resolve(dir));
  switch (tool) {
    case 'targets': return { out: targets(g, args) };
    case 'query': return { out: query(g, args) };
    case 'commands': return { out: commands(g, args) };
    case 'inputs': return { out: inputs(g, args) };
    case 'graph': return { out: dotGraph(g, args) };
    case 'compdb': return { out: compdb(g, cwd, args) };
    case 'clean': return { out: clean(g, cwd, args) };
    default: throw noSuchTool(tool);
  }
}

/** Why a tool of ninja's is not answered here, for those that have a reason of their own. */
const NOT_ANSWERED: Readonly<Record<string, string>> = {
  deps: 'nomia ninja keeps no deps log (.ninja_deps): the headers each compile read are recorded as the reduction of its cc:compile name (docs/namespaces/cc.md, "Header discovery as a reduction"), not per output path',
  missingdeps: 'it checks ninja\'s deps log, which nomia ninja does not keep',
  browse: 'it serves the graph to a browser through Python; nomia ninja -t graph prints the same graph as a dot file',
};

/** The error for a tool not answered here. */
const noSuchTool = (tool: string) => new NomiaError('usage', NOT_ANSWERED[tool] ? `-t ${tool}: not answered by nomia ninja: ${NOT_ANSWERED[tool]}` : `-t ${tool}: nomia ninja has no such tool`, {
  hint: tool === 'deps' ? 'the reduced events of nomia ninja -C DIR --log-format json name what each compile read; or build with the real ninja, which keeps the log, and ask it'
    : `its tools: ${NINJA_TOOLS.join(', ')} (and restat, recompact, cleandead, which have nothing to do); run the real ninja for the others`,
});

/** Read `build.ninja` in `dir` (with what it includes), checked as `-w` says (ninja-warnings.ts), and answer `tool` on it (`ninjaTool`). */
export function ninjaToolIn(dir: string, tool: string, args: readonly string[], checks: ManifestChecks = DEFAULT_CHECKS, warn: (message: string) => void = () => undefined): ToolAnswer {
  // As ninja, an unknown tool is refused before the manifest is read.
  if (!isNinjaTool(tool)) throw noSuchTool(tool);
  return ninjaTool(checkManifest(manifestIn(resolve(dir), (p) => readFileSync(p, 'utf8')), checks, warn), dir, tool, args);
}
