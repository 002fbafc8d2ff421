/**
 * The wiring graph (DESIGN.md §3): the normal form every name flattens to.
 * `let`, `compose` and nesting are gone; variables are wires; cycles stay.
 * Nodes are numbered in the order the flattener met them; that numbering is
 * an artefact of how the name was written and never enters a spelling.
 */
import type { Span } from '../errors.js';

/** A parameter value with positions dropped: the graph's view of `ParamValue`. */
export type Value =
  | { readonly kind: 'String'; readonly value: string }
  | { readonly kind: 'List'; readonly items: readonly Value[] }
  | { readonly kind: 'InputRef'; readonly input: string };

export interface GraphParam {
  readonly key: string;
  readonly value: Value;
}

/** An input port: by position (`f(a, b)`) or by name (`f(x: a)`). */
export type PortKey =
  | { readonly kind: 'positional'; readonly index: number }
  | { readonly kind: 'named'; readonly name: string };

/** The origin of a wire: an output of a node, optionally a sub-path of it. */
export interface Source {
  readonly node: number;
  /** Absent: the node's default output. */
  readonly output?: string;
  /** Absent or non-empty. */
  readonly projection?: readonly string[];
}

/** How a node finds its namespace. */
export type NamespaceRef =
  /** By id (and parameters) in the namespace of namespaces. */
  | { readonly kind: 'builtin'; readonly id: string; readonly params: readonly GraphParam[] }
  /** The `namespace` output of another node: `(x:y.out):z`. */
  | { readonly kind: 'named'; readonly source: Source }
  /** Unqualified: the resolution context's default namespace. */
  | { readonly kind: 'default' };

/** An application of an atomic name. */
export interface AtomicNode {
  readonly kind: 'atomic';
  readonly id: number;
  readonly namespace: NamespaceRef;
  readonly nameId: string;
  /** In written order; spellings sort them. */
  readonly params: readonly GraphParam[];
  readonly span?: Span;
}

/** `@x`: a resolved name supplied at resolution time. */
export interface ResolvedNode {
  readonly kind: 'resolved';
  readonly id: number;
  readonly variable: string;
  readonly span?: Span;
}

export type GraphNode = AtomicNode | ResolvedNode;

/** A wire from `from` into input `port` of node `to`. */
export interface Edge {
  readonly from: Source;
  readonly to: number;
  readonly port: PortKey;
  readonly span?: Span;
}

/** An input a node declares (by a `$input` in its parameters) that no edge feeds. */
export interface OpenInput {
  readonly node: number;
  readonly port: string;
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
  /** What the name as a whole produces: one source for a tree or `let`, the results of a `compose`. */
  readonly roots: readonly Source[];
  readonly openInputs: readonly OpenInput[];
  /** Distinct `@x` variables, in order of appearance. */
  readonly resolvedVariables: readonly string[];
  /** The name text it came from, for error excerpts. */
  readonly source?: string;
}

/** Print a port key as written: `0`, `1` for positional, the name otherwise. */
export function portLabel(p: PortKey): string {
  return p.kind === 'positional' ? String(p.index) : p.name;
}
