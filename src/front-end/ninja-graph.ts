/**
 * A manifest as ninja's own tools see it (`-t targets`, `-t query`,
 * `-t commands`, `-t clean`, `-t compdb`, front-end/ninja-tools.ts): nodes
 * by path, each with the edge that makes it and the edges that read it, in
 * the order the manifest declares them. Paths are canonicalized as ninja's
 * `CanonicalizePath` does (`./a` and `a/../b` collapse) but never made
 * relative: ninja, too, takes `/build/x` and `x` for two nodes.
 */
import { posix } from 'node:path';
import { NomiaError } from '../errors.js';
import { didYouMean } from '../namespace/suggest.js';
import type { Edge, Manifest } from '../namespaces/ninja/manifest.js';

/** A path of the manifest: the edge that makes it (none: a source) and those that read it. */
export interface GraphNode {
  readonly path: string;
  readonly inEdge: Edge | undefined;
  readonly outEdges: readonly Edge[];
}

/** The manifest's nodes, and how ninja picks targets among them. */
export interface NinjaGraph {
  readonly manifest: Manifest;
  /** The node at `path` (canonicalized), or undefined. */
  node(path: string): GraphNode | undefined;
  /** An edge's inputs as ninja holds them: explicit, then implicit (`|`), then order-only (`||`). */
  inputs(edge: Edge): readonly string[];
  /** An edge's outputs: explicit, then implicit. */
  outputs(edge: Edge): readonly string[];
  /** Outputs no edge reads, in the manifest's order (ninja's `RootNodes`). */
  roots(): readonly string[];
  /** The targets a command line names, each checked (`ninja/unknown-target`); none: the `default`s, else the roots. */
  targets(args: readonly string[]): readonly GraphNode[];
}

/** `p` as ninja canonicalizes it: no `.` components, `x/..` collapsed, no duplicate slashes. */
export function canonical(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The graph of `manifest`. */
export function ninjaGraph(manifest: Manifest): NinjaGraph {
  const nodes = new Map<string, { path: string; inEdge: Edge | undefined; outEdges: Edge[] }>();
  const at = (p: string) => {
    const path = canonical(p);
    let n = nodes.get(path);
    if (!n) nodes.set(path, (n = { path, inEdge: undefined, outEdges: [] }));
    return n;
  };
  const inputs = (e: Edge) => [...e.inputs, ...e.implicitInputs, ...e.orderOnly].map(canonical);
  const outputs = (e: Edge) => [...e.outputs, ...e.implicitOutputs].map(canonical);
  for (const e of manifest.edges) {
    for (const o of outputs(e)) at(o).inEdge = e;
    for (const i of inputs(e)) {
      const n = at(i);
      // ninja adds an edge once per input it reads, even when it reads a path twice.
      n.outEdges.push(e);
    }
  }
  const roots = () => manifest.edges.flatMap((e) => outputs(e).filter((o) => nodes.get(o)!.outEdges.length === 0));
  return {
    manifest,
    node: (path) => nodes.get(canonical(path)),
    inputs,
    outputs,
    roots,
    targets: (args) => {
      const paths = args.length ? args : manifest.defaults.length ? manifest.defaults : roots();
      return paths.map((p) => {
        const n = nodes.get(canonical(p));
        if (!n) throw new NomiaError('ninja/unknown-target', `unknown target '${p}'${didYouMean(p, nodes.keys())}`, { hint: 'list the targets: nomia ninja -C DIR -t targets all' });
        return n;
      });
    },
  };
}
