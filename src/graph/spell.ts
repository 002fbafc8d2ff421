/**
 * Hashed spellings (DESIGN.md §3), specified byte for byte in
 * `docs/spec/spelling.md`. This module is the only one that mints a
 * `Spelling`.
 *
 * - An acyclic node is spelled SHA-256(node record).
 * - A cycle (strongly connected component) is spelled as one unit: members
 *   are partitioned by colour refinement (members with the same infinite
 *   unfolding fall together, so `a = f($b); b = f($a)` spells `a` and `b`
 *   alike), classes are ordered by their final colour, the quotient is
 *   serialized once as the component record, and a member's spelling is
 *   SHA-256(member tag, component digest, class index).
 * - A node outside a cycle whose namespace spells it itself (`override`)
 *   is spelled by its record with the parameters the namespace gave, or
 *   SHA-256(spelled tag, namespace spelling, canonical text).
 * Node numbers, binder names, parameter order in the text, whitespace and how
 * `let`/`compose`/nesting was written never reach the bytes.
 */
import { NomiaGraphError, type Span } from '../errors.js';
import { decodeBase32, encodeBase32 } from '../store/base32.js';
import { ByteWriter, compareUtf8 } from './bytes.js';
import { stronglyConnected } from './scc.js';
import type { Graph, GraphNode, GraphParam, NamespaceRef, PortKey, Source, Value } from './types.js';

/** A hashed spelling, `nomia1-<52 base32 chars>`. Only `spell` and `parseSpelling` make one. */
export type Spelling = string & { readonly __brand: 'Spelling' };

export const SPELLING_PREFIX = 'nomia1-';

const TAG_NODE = 'nomia-node-1';
const TAG_RESOLVED = 'nomia-resolved-1';
const TAG_REFINE = 'nomia-refine-1';
const TAG_COMPONENT = 'nomia-component-1';
const TAG_MEMBER = 'nomia-member-1';
const TAG_NAME = 'nomia-name-1';
const TAG_SPELLED = 'nomia-spelled-1';

/** A namespace's own spelling of a node (spec, "Spelled by the namespace"). */
export type NodeOverride =
  /** The default record, with these parameters in place of the node's own. */
  | { readonly params: readonly GraphParam[] }
  /** Canonical text, scoped by the spelling of the namespace that spelled it (`builtin:exec@1`). */
  | { readonly scope: string; readonly text: string };

/** The spelling of a node its namespace spelled by canonical text. */
export function spelledBy(o: { readonly scope: string; readonly text: string }): Spelling {
  return toSpelling(spelledDigest(o));
}

function spelledDigest(o: { readonly scope: string; readonly text: string }): Buffer {
  return new ByteWriter().str(TAG_SPELLED).str(o.scope).str(o.text).sha256();
}

export interface SpellOptions {
  /** Spellings for `@x` variables. A graph with an unbound `@x` cannot be spelled. */
  readonly resolved?: Readonly<Record<string, Spelling>>;
  /** The namespace id unqualified names resolve in; without it they cannot be spelled. */
  readonly defaultNamespace?: string;
  /**
   * The namespace of namespaces' spelling of a namespace id with its parameters (e.g. `builtin:git@1`).
   * Absent, or answering undefined for an id: the id and its parameters are spelled as written (a
   * syntactic spelling).
   */
  readonly namespaceSpelling?: (id: string, params: readonly GraphParam[]) => string | undefined;
  /**
   * The namespace's own spelling of node `node` (outside cycles only), given the spellings of what
   * feeds each input port (`inputs()`, computed on demand); undefined keeps the default. Only
   * `spellAsync` may be given one that answers with a promise.
   */
  readonly override?: (node: number, inputs: () => Readonly<Record<string, Spelling>>) => NodeOverride | undefined | Promise<NodeOverride | undefined>;
}

export interface Spellings {
  /** One per node, indexed by node id. */
  readonly nodes: readonly Spelling[];
  /** The spelling of the name as a whole (its roots). */
  readonly name: Spelling;
}

export function toSpelling(digest: Uint8Array): Spelling {
  return (SPELLING_PREFIX + encodeBase32(digest)) as Spelling;
}

/** Check and brand a spelling given as text, e.g. on the command line. */
export function parseSpelling(text: string): Spelling | undefined {
  return /^nomia1-[0-9abcdfghijklmnpqrsvwxyz]{52}$/.test(text) ? (text as Spelling) : undefined;
}


/**
 * The spelling of one output (and projection) of something spelled `s`: the
 * spelling a name `….output/projection` with that single root gets (spec,
 * "The name as a whole"). The default output with no projection is `s` itself.
 */
export function sourceSpelling(s: Spelling, output?: string, projection: readonly string[] = []): Spelling {
  if (output === undefined && projection.length === 0) return s;
  const digest = decodeBase32(s.slice(SPELLING_PREFIX.length), 32);
  if (!digest) throw new Error(`not a spelling: ${s}`);
  const w = new ByteWriter().str(TAG_NAME).u32(1).u8(1).bytes(digest);
  if (output === undefined) w.u8(0);
  else w.u8(1).str(output);
  w.u32(projection.length);
  for (const seg of projection) w.str(seg);
  return toSpelling(w.sha256());
}

/** Ports in canonical order (spec, "Sources and ports"): positional ones by index, then named ones by name. */
export function comparePorts(a: PortKey, b: PortKey): number {
  if (a.kind === 'positional') return b.kind === 'positional' ? a.index - b.index : -1;
  return b.kind === 'positional' ? 1 : compareUtf8(a.name, b.name);
}

interface Input {
  readonly port: PortKey;
  readonly from: Source;
}

/** Spell every node of `graph` and the name as a whole. Throws `NomiaGraphError`. */
export function spell(graph: Graph, options: SpellOptions = {}): Spellings {
  const steps = new Speller(graph, options).run();
  const r = steps.next();
  if (!r.done) throw new Error('spell: an override answered with a promise; use spellAsync');
  return r.value;
}

/** `spell`, waiting for overrides that answer with a promise (a namespace behind the protocol). */
export async function spellAsync(graph: Graph, options: SpellOptions = {}): Promise<Spellings> {
  const steps = new Speller(graph, options).run();
  let r = steps.next();
  while (!r.done) r = steps.next(await r.value);
  return r.value;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}

class Speller {
  private readonly inputs: Input[][];
  private readonly digests: (Buffer | undefined)[];
  /** Reused for every record; see `ByteWriter`. */
  private readonly w = new ByteWriter();
  /** Class index of each member of the component being spelled; -1 outside it. */
  private classOf: Int32Array;
  /** Round-0 placeholder mode: internal sources are written without an index. */
  private blind = false;

  constructor(private readonly graph: Graph, private readonly options: SpellOptions) {
    const n = graph.nodes.length;
    this.inputs = Array.from({ length: n }, () => []);
    for (const e of graph.edges) this.inputs[e.to]!.push({ port: e.port, from: e.from });
    for (const list of this.inputs) if (list.length > 1) list.sort((a, b) => comparePorts(a.port, b.port));
    this.digests = new Array(n);
    this.classOf = new Int32Array(n).fill(-1);
  }

  /** Spells dependencies first; yields an override's promise and expects its answer back. */
  *run(): Generator<Promise<NodeOverride | undefined>, Spellings, NodeOverride | undefined> {
    const nodes = this.graph.nodes;
    const override = this.options.override;
    const deps = (i: number): number[] => {
      const d = this.inputs[i]!.map((x) => x.from.node);
      const node = nodes[i]!;
      if (node.kind === 'atomic' && node.namespace.kind === 'named') d.push(node.namespace.source.node);
      return d;
    };
    for (const comp of stronglyConnected(nodes.length, deps)) {
      const only = comp[0]!;
      if (comp.length === 1 && !this.loops(only)) {
        let o = override?.(only, () => this.inputSpellings(only));
        if (o !== undefined && isPromise(o)) o = yield o;
        const node = nodes[only]!;
        if (o === undefined) this.digests[only] = this.record(this.w.reset(), node).sha256();
        else if ('text' in o) this.digests[only] = spelledDigest(o);
        else this.digests[only] = this.record(this.w.reset(), node.kind === 'atomic' ? { ...node, params: o.params } : node).sha256();
      } else {
        this.component(comp);
      }
    }
    const spelled = this.digests.map((d) => toSpelling(d!));
    const roots = this.graph.roots;
    const single = roots.length === 1 && roots[0]!.output === undefined && !roots[0]!.projection;
    const name = single
      ? spelled[roots[0]!.node]!
      : toSpelling(this.withSources(this.w.reset().str(TAG_NAME).u32(roots.length), roots).sha256());
    return { nodes: spelled, name };
  }

  /** The spelling of what feeds each input port of node `i` (all spelled already). */
  private inputSpellings(i: number): Record<string, Spelling> {
    const out: Record<string, Spelling> = {};
    for (const { port, from } of this.inputs[i]!) {
      out[port.kind === 'positional' ? String(port.index) : port.name] = sourceSpelling(toSpelling(this.digests[from.node]!), from.output, from.projection);
    }
    return out;
  }

  /** Whether node `i` feeds itself (a one-node cycle). */
  private loops(i: number): boolean {
    const node = this.graph.nodes[i]!;
    if (node.kind === 'atomic' && node.namespace.kind === 'named' && node.namespace.source.node === i) return true;
    return this.inputs[i]!.some((x) => x.from.node === i);
  }

  private withSources(w: ByteWriter, sources: readonly Source[]): ByteWriter {
    for (const s of sources) this.source(w, s);
    return w;
  }

  private component(members: number[]): void {
    const nodes = this.graph.nodes;
    for (const m of members) this.classOf[m] = 0;
    this.blind = true;
    let colors = new Map<number, Buffer>(members.map((m) => [m, this.record(this.w.reset(), nodes[m]!).sha256()]));
    this.blind = false;
    let classes = distinct(colors);
    for (;;) {
      const next = new Map<number, Buffer>();
      for (const m of members) {
        const w = this.w.reset().str(TAG_REFINE).bytes(colors.get(m)!);
        for (const src of this.internalSources(m)) w.bytes(colors.get(src)!);
        next.set(m, w.sha256());
      }
      const count = distinct(next);
      colors = next;
      if (count === classes) break;
      classes = count;
    }
    const order = [...new Set([...colors.values()].map((c) => c.toString('hex')))].sort();
    const indexOf = new Map(order.map((hex, i) => [hex, i]));
    const representative = new Map<number, number>();
    for (const m of members) {
      const k = indexOf.get(colors.get(m)!.toString('hex'))!;
      this.classOf[m] = k;
      if (!representative.has(k)) representative.set(k, m);
    }
    const w = this.w.reset().str(TAG_COMPONENT).u32(order.length);
    for (let k = 0; k < order.length; k++) this.record(w, nodes[representative.get(k)!]!);
    const component = w.sha256();
    for (const m of members) {
      this.digests[m] = this.w.reset().str(TAG_MEMBER).bytes(component).u32(this.classOf[m]!).sha256();
    }
    for (const m of members) this.classOf[m] = -1;
  }

  /** Sources of `m` inside the current component, in canonical port order (namespace last). */
  private internalSources(m: number): number[] {
    const out = this.inputs[m]!.map((x) => x.from.node).filter((n) => this.classOf[n]! >= 0);
    const node = this.graph.nodes[m]!;
    if (node.kind === 'atomic' && node.namespace.kind === 'named' && this.classOf[node.namespace.source.node]! >= 0) {
      out.push(node.namespace.source.node);
    }
    return out;
  }

  /** Append the node's record (spec: "Node records") to `w`. */
  private record(w: ByteWriter, node: GraphNode): ByteWriter {
    if (node.kind === 'resolved') {
      const bound = this.options.resolved?.[node.variable];
      if (bound === undefined) {
        this.fail(`resolved-name variable \`@${node.variable}\` is unbound`, node.span,
          `bind it to a spelling, e.g. \`nomia spell NAME --resolved ${node.variable}=nomia1-…\``, 'graph/unbound-resolved');
      }
      w.str(TAG_RESOLVED).str(bound);
    } else {
      w.str(TAG_NODE);
      this.namespace(w, node.namespace, node);
      w.str(node.nameId);
      params(w, node.params);
    }
    const inputs = this.inputs[node.id]!;
    w.u32(inputs.length);
    for (const input of inputs) {
      if (input.port.kind === 'positional') w.u8(1).u32(input.port.index);
      else w.u8(2).str(input.port.name);
      this.source(w, input.from);
    }
    return w;
  }

  private namespace(w: ByteWriter, ns: NamespaceRef, node: GraphNode): void {
    if (ns.kind === 'named') {
      w.u8(2);
      this.source(w, ns.source);
      return;
    }
    let id: string;
    let ps: readonly GraphParam[];
    if (ns.kind === 'default') {
      const d = this.options.defaultNamespace;
      if (d === undefined) {
        this.fail(`\`${node.kind === 'atomic' ? node.nameId : '?'}\` has no namespace, so its spelling depends on the default namespace of the context`,
          node.span, 'qualify it (`ns:name`) or give a default namespace (`--default-namespace ID`)', 'spell/no-namespace');
      }
      id = d;
      ps = [];
    } else {
      id = ns.id;
      ps = ns.params;
    }
    const custom = this.options.namespaceSpelling?.(id, ps);
    if (custom !== undefined) {
      w.u8(3).str(custom);
    } else {
      w.u8(1).str(id);
      params(w, ps);
    }
  }

  private source(w: ByteWriter, s: Source): void {
    const k = this.classOf[s.node]!;
    if (k >= 0) {
      w.u8(2);
      if (!this.blind) w.u32(k);
    } else {
      w.u8(1).bytes(this.digests[s.node]!);
    }
    if (s.output === undefined) w.u8(0);
    else w.u8(1).str(s.output);
    const proj = s.projection ?? [];
    w.u32(proj.length);
    for (const seg of proj) w.str(seg);
  }

  private fail(message: string, span: Span | undefined, hint: string, code: 'graph/unbound-resolved' | 'spell/no-namespace'): never {
    throw new NomiaGraphError(code, message, {
      hint,
      ...(span ? { span } : {}),
      ...(this.graph.source === undefined ? {} : { source: this.graph.source }),
    });
  }
}

function distinct(colors: Map<number, Buffer>): number {
  return new Set([...colors.values()].map((c) => c.toString('hex'))).size;
}

function params(w: ByteWriter, ps: readonly GraphParam[]): void {
  const sorted = ps.length > 1 ? [...ps].sort((a, b) => compareUtf8(a.key, b.key)) : ps;
  w.u32(sorted.length);
  for (const p of sorted) {
    w.str(p.key);
    value(w, p.value);
  }
}

function value(w: ByteWriter, v: Value): void {
  switch (v.kind) {
    case 'String':
      w.u8(1).str(v.value);
      return;
    case 'List':
      w.u8(2).u32(v.items.length);
      for (const item of v.items) value(w, item);
      return;
    case 'InputRef':
      w.u8(3).str(v.input);
      return;
  }
}
