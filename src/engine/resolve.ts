/**
 * Resolution (DESIGN.md §7): parse, flatten, bind every node to its
 * namespace, ask for signatures, check outputs, inputs and cycles, and spell
 * every node. A node is *tainted* when it is contextual or depends on one
 * (STYLE rule 9): its static spelling says nothing about what it will
 * produce, so it is never looked up by it.
 */
import { NomiaGraphError, type Span } from '../errors.js';
import { flatten } from '../graph/flatten.js';
import { nodeLabel } from '../graph/render.js';
import { stronglyConnected } from '../graph/scc.js';
import { spell, spellAsync, type NodeOverride, type Spelling, type Spellings } from '../graph/spell.js';
import { portLabel, type Edge, type Graph, type GraphNode, type GraphParam, type Source } from '../graph/types.js';
import type { Name } from '../name/ast.js';
import type { Registry } from '../namespace/registry.js';
import { spellGraph, spellingOptions } from '../namespace/spelling.js';
import type { AtomRequest, Namespace, NodeSpelling, Resource, Signature } from '../namespace/types.js';

export interface ResolvedNode {
  readonly id: number;
  readonly namespace: Namespace;
  readonly request: AtomRequest;
  readonly signature: Signature;
  readonly label: string;
  /** `line:column` in the name, when known. */
  readonly at?: string;
  readonly span?: Span;
  /** Spelled from the graph alone. */
  readonly spelling: Spelling;
  readonly tainted: boolean;
  /** Edges into this node. */
  readonly inputs: readonly Edge[];
}

export interface ResolvedName {
  readonly graph: Graph;
  readonly nodes: readonly ResolvedNode[];
  /** The name's own spelling (its roots). */
  readonly spelling: Spelling;
  /** The namespace of namespaces' spelling of a namespace id with its parameters (namespace/spelling.ts). */
  readonly namespaceSpelling: (id: string, params?: readonly GraphParam[]) => string;
}

function fail(g: Graph, message: string, span: Span | undefined, hint?: string): never {
  throw new NomiaGraphError('graph/invalid', message, {
    ...(span ? { span } : {}), ...(g.source === undefined ? {} : { source: g.source }), ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Substructural restrictions (deep dive, "Structural rules"): a `relevant`
 * output must be used, an `affine` one used at most once, and a wire into an
 * `ordered` input may not be part of a cycle (it could not be consumed in
 * order). Using an output as a root of the name counts as a use.
 */
function checkStructure(graph: Graph, sigs: readonly Signature[], inputs: readonly Edge[][], components: readonly number[][]): void {
  const annotated = (ports: Signature['inputs'] | Signature['outputs']) => ports !== 'any' && Object.values(ports).some((p) => p.annotations?.length);
  if (!sigs.some((s) => annotated(s.inputs) || annotated(s.outputs))) return;
  const uses = new Map<string, number>();
  const key = (node: number, output: string) => `${node}\0${output}`;
  const outputOf = (node: number, output: string | undefined) => output ?? sigs[node]!.defaultOutput;
  for (const e of graph.edges) uses.set(key(e.from.node, outputOf(e.from.node, e.from.output)), (uses.get(key(e.from.node, outputOf(e.from.node, e.from.output))) ?? 0) + 1);
  for (const r of graph.roots) uses.set(key(r.node, outputOf(r.node, r.output)), (uses.get(key(r.node, outputOf(r.node, r.output))) ?? 0) + 1);
  graph.nodes.forEach((node, i) => {
    for (const [output, port] of Object.entries(sigs[i]!.outputs)) {
      const n = uses.get(key(i, output)) ?? 0;
      const label = `output \`${output}\` of \`${nodeLabel(node)}\``;
      if (port.annotations?.includes('relevant') && n === 0) {
        throw new NomiaGraphError('graph/structure', `the ${label} is relevant: it must be used, but nothing uses it`, {
          ...(node.span ? { span: node.span } : {}), ...(graph.source === undefined ? {} : { source: graph.source }),
          hint: 'connect it to an input, or make it a result of the name',
        });
      }
      if (port.annotations?.includes('affine') && n > 1) {
        throw new NomiaGraphError('graph/structure', `the ${label} is affine: it may be used once, but it is used ${n} times`, {
          ...(node.span ? { span: node.span } : {}), ...(graph.source === undefined ? {} : { source: graph.source }),
          hint: 'use it in one place only; the same name written twice is one node (graph/share.ts): give each use a name of its own, e.g. a parameter that differs',
        });
      }
    }
  });
  for (const comp of components) {
    const members = new Set(comp);
    for (const i of comp) {
      const sigInputs = sigs[i]!.inputs;
      if (sigInputs === 'any') continue;
      for (const e of inputs[i]!) {
        const port = sigInputs[portLabel(e.port)];
        if (port?.annotations?.includes('ordered') && members.has(e.from.node) && (comp.length > 1 || e.from.node === i)) {
          throw new NomiaGraphError('graph/structure', `input \`${portLabel(e.port)}\` of \`${nodeLabel(graph.nodes[i]!)}\` is ordered and cannot be fed through a cycle`, {
            ...(e.span ? { span: e.span } : {}), ...(graph.source === undefined ? {} : { source: graph.source }),
            hint: 'break the cycle, or feed this input from outside it',
          });
        }
      }
    }
  }
}

/** Ask a node's namespace for its own spelling (undefined: the default). */
function overrideOf(b: { namespace: Namespace; request: AtomRequest }, inputsOf: () => Readonly<Record<string, Spelling>>): NodeOverride | undefined | Promise<NodeOverride | undefined> {
  const ns = b.namespace;
  if (!ns.spell) return undefined;
  const answer = ns.spell(b.request, inputsOf());
  return answer instanceof Promise ? answer.then((a) => nodeOverride(ns, a)) : nodeOverride(ns, answer);
}

/** A namespace's answer as the speller takes it: canonical text is scoped by the namespace's spelling. */
export function nodeOverride(ns: Namespace, a: NodeSpelling | undefined): NodeOverride | undefined {
  if (a === undefined) return undefined;
  return 'text' in a ? { scope: ns.spelling, text: a.text } : { params: a.params };
}

/** What resolution needs to realize the namespace of a named namespace `(x:y):z` first. */
export interface NamespaceRealizer {
  (source: { namespace: Namespace; request: AtomRequest; label: string }): Promise<Resource>;
}

/** A graph already flattened and spelled (by a caller that looked it up first), so resolve does not redo it. */
export interface Prepared {
  readonly graph: Graph;
  readonly spellings: Spellings;
}

/** Flatten and spell by default (namespace/spelling.ts). */
export function prepare(name: Name, registry: Registry, source?: string): Prepared {
  const graph = flatten(name, source);
  return { graph, spellings: spellGraph(graph, registry) };
}

export async function resolve(name: Name, registry: Registry, source?: string, realizeNamespace?: NamespaceRealizer, prepared?: Prepared): Promise<ResolvedName> {
  const graph = prepared?.graph ?? flatten(name, source);
  /** The namespace of a node whose namespace is the output of another node. */
  const namedNamespace = async (node: GraphNode & { kind: 'atomic' }, src: Source): Promise<Namespace> => {
    const from = graph.nodes[src.node]!;
    const label = from.kind === 'atomic' ? nodeLabel(from) : '?';
    if (from.kind !== 'atomic' || from.namespace.kind !== 'builtin' || graph.edges.some((e) => e.to === src.node) || src.projection) {
      fail(graph, `the namespace of \`${node.nameId}\` must be a name without inputs in a namespace given by id, e.g. (nomia:external?command=[…]):${node.nameId}`, node.span);
    }
    if (!realizeNamespace) fail(graph, 'named namespaces can only be resolved while realizing', node.span);
    const ns = registry.get(from.namespace.id);
    const request: AtomRequest = { namespace: { id: from.namespace.id, params: from.namespace.params }, nameId: from.nameId, params: from.params };
    const resource = await realizeNamespace({ namespace: ns, request, label });
    if (resource.type !== 'namespace' || resource.kind !== 'value') {
      fail(graph, `\`${label}\` is a ${resource.type}, not a namespace`, from.span, 'a named namespace is a name whose output is a namespace, e.g. nomia:external?command=[…]');
    }
    return registry.fromResource(resource.value, `(${label})`);
  };
  const options = spellingOptions(registry);
  const bound = await Promise.all(graph.nodes.map(async (node) => {
    if (node.kind === 'resolved') fail(graph, `\`@${node.variable}\` is not bound`, node.span, `supply it: nomia realize NAME --bind ${node.variable}=OTHER_NAME (library: bindResolved)`);
    if (node.namespace.kind === 'default') fail(graph, `\`${node.nameId}\` has no namespace`, node.span, 'qualify it, e.g. filesystem:stdin');
    const namespace = node.namespace.kind === 'named' ? await namedNamespace(node, node.namespace.source) : registry.get(node.namespace.id);
    const request: AtomRequest = node.namespace.kind === 'named'
      ? { namespace: { id: namespace.id, params: [] }, nameId: node.nameId, params: node.params }
      : { namespace: { id: node.namespace.id, params: node.namespace.params }, nameId: node.nameId, params: node.params };
    const signature = await namespace.describe(request);
    return { node, namespace, request, signature };
  }));
  const inputs: Edge[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) inputs[e.to]!.push(e);
  // Outputs referenced must be declared; inputs given must be taken.
  const checkSource = (nodeId: number, output: string | undefined, span: Span | undefined) => {
    const sig = bound[nodeId]!.signature;
    if (output !== undefined && !(output in sig.outputs)) {
      fail(graph, `\`${nodeLabel(graph.nodes[nodeId]!)}\` has no output \`${output}\``, span, `its outputs: ${Object.keys(sig.outputs).join(', ')}`);
    }
  };
  for (const e of graph.edges) {
    checkSource(e.from.node, e.from.output, e.span);
    const sig = bound[e.to]!.signature;
    if (sig.inputs !== 'any' && !(portLabel(e.port) in sig.inputs)) {
      const declared = Object.keys(sig.inputs);
      fail(graph, `\`${nodeLabel(graph.nodes[e.to]!)}\` has no input \`${portLabel(e.port)}\``, e.span, declared.length ? `its inputs: ${declared.join(', ')}` : 'it takes no inputs');
    }
  }
  for (const r of graph.roots) checkSource(r.node, r.output, graph.nodes[r.node]!.span);
  for (const b of bound) {
    if (b.signature.inputs === 'any') continue;
    const given = new Set(inputs[b.node.id]!.map((e) => portLabel(e.port)));
    for (const port of Object.keys(b.signature.inputs)) {
      if (!given.has(port)) fail(graph, `input \`${port}\` of \`${nodeLabel(b.node)}\` is not given`, b.node.span, `give it: ${b.request.namespace.id}:${b.node.kind === 'atomic' ? b.node.nameId : ''}(${port}: …)`);
    }
  }
  // Strongly connected components, dependencies first: cycles, structure and taint all use them.
  const deps = (i: number) => inputs[i]!.map((e) => e.from.node);
  const components = stronglyConnected(graph.nodes.length, deps);
  checkStructure(graph, bound.map((b) => b.signature), inputs, components);
  // Cycles can be spelled, but only realized by a namespace that ties the knot.
  for (const comp of components) {
    const cyclic = comp.length > 1 || deps(comp[0]!).includes(comp[0]!);
    if (cyclic && !comp.every((i) => bound[i]!.signature.tiesKnots)) {
      const sorted = [...comp].sort((a, b) => a - b);
      const members = sorted.map((i) => `\`${nodeLabel(graph.nodes[i]!)}\``).join(', ');
      const cannot = sorted.filter((i) => !bound[i]!.signature.tiesKnots);
      const why = cannot.length === comp.length
        ? 'none of their namespaces can tie the knot'
        : `${cannot.map((i) => `\`${nodeLabel(graph.nodes[i]!)}\``).join(', ')} cannot be part of a knot (${cannot.length === 1 ? 'its namespace does' : 'their namespaces do'} not tie knots)`;
      fail(graph, `cannot realize a cycle through ${members}: ${why}`, graph.nodes[Math.min(...comp)]!.span,
        'a cycle can be spelled (`nomia spell`) but realizing it needs a namespace that declares it ties knots');
    }
  }
  // A namespace may spell its nodes itself (`spell`); then the graph is spelled again with its answers,
  // which reach every node downstream.
  const spellings = bound.some((b) => b.namespace.spell)
    ? await spellAsync(graph, { ...options, override: (i, inputsOf) => overrideOf(bound[i]!, inputsOf) })
    : prepared?.spellings ?? spell(graph, options);
  // Taint in dependency order (the graph is acyclic here, or every cycle ties its knot).
  const tainted: boolean[] = new Array(graph.nodes.length).fill(false);
  for (const comp of components) {
    const t = comp.some((i) => bound[i]!.signature.contextual || inputs[i]!.some((e) => tainted[e.from.node]));
    for (const i of comp) tainted[i] = t;
  }
  const nodes = bound.map((b, i): ResolvedNode => ({
    id: i, namespace: b.namespace, request: b.request, signature: b.signature, label: nodeLabel(b.node),
    ...(b.node.span ? { span: b.node.span, at: `${b.node.span.start.line}:${b.node.span.start.column}` } : {}),
    spelling: spellings.nodes[i]!, tainted: tainted[i]!, inputs: inputs[i]!,
  }));
  const namespaceSpelling = (id: string, params: readonly GraphParam[] = []) => options.namespaceSpelling!(id, params) ?? registry.spelling(id);
  return { graph, nodes, spelling: spellings.name, namespaceSpelling };
}
