/**
 * Flatten a name into its wiring graph (DESIGN.md §3).
 *
 * Scoping: the binders of one `let` or `compose` are visible in all of its
 * declarations and its body, before or after their own declaration (that is
 * how cycles are written). An inner `let`/`compose` may shadow an outer
 * binder; binding one variable twice in the same list is an error.
 *
 * Results: a tree or `let` has one root (its body); a `compose` has its
 * unbound declarations as roots, or, when every declaration is bound, all of
 * them. A nested `( … )` must have exactly one root.
 *
 * Declarations whose value is an atomic name get their node before any
 * declaration's inputs are wired, so forward references and long chains cost
 * no recursion.
 *
 * The same application written out twice is one node (share.ts): a graph
 * has one node per distinct application, however the name was written.
 */
import { NomiaGraphError, type ErrorCode, type Span } from '../errors.js';
import type { AtomicName, Declaration, Name, NamespaceId, OutputRef, ParamValue, Substitution } from '../name/ast.js';
import { shareIdentical } from './share.js';
import type { Edge, Graph, GraphNode, GraphParam, NamespaceRef, OpenInput, PortKey, Source, Value } from './types.js';

interface Slot {
  readonly decl: Declaration;
  readonly scope: Scope;
  state: 'pending' | 'active' | 'done';
  source?: Source;
  /** Node allocated ahead of wiring (atomic and resolved declarations). */
  preNode?: number;
}

interface Scope {
  readonly parent: Scope | undefined;
  readonly slots: Map<string, Slot>;
}


/** Flatten `name`; `source` is its text, used for error excerpts. Throws `NomiaGraphError`. */
export function flatten(name: Name, source?: string): Graph {
  return new Flattener(source).run(name);
}

class Flattener {
  private readonly nodes: GraphNode[] = [];
  private readonly edges: Edge[] = [];
  private readonly resolved: string[] = [];
  private readonly namedPorts = new Map<number, Set<string>>();
  private readonly positionalCount = new Map<number, number>();
  private readonly inputRefs: { node: number; port: string }[] = [];

  constructor(private readonly source: string | undefined) {}

  run(name: Name): Graph {
    const roots = this.name(name, undefined);
    const openInputs: OpenInput[] = [];
    const seen = new Set<string>();
    for (const r of this.inputRefs) {
      const key = `${r.node}\0${r.port}`;
      if (seen.has(key) || this.namedPorts.get(r.node)?.has(r.port)) continue;
      seen.add(key);
      openInputs.push(r);
    }
    return shareIdentical({
      nodes: this.nodes, edges: this.edges, roots, openInputs,
      resolvedVariables: this.resolved,
      ...(this.source === undefined ? {} : { source: this.source }),
    });
  }

  private fail(code: ErrorCode, message: string, span: Span | undefined, hint?: string): never {
    throw new NomiaGraphError(code, message, {
      ...(span ? { span } : {}),
      ...(this.source === undefined ? {} : { source: this.source }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  private name(n: Name, parent: Scope | undefined): Source[] {
    if (n.kind === 'Tree') return [this.outputRef(n.body, parent)];
    const scope = this.scope(n.declarations, parent);
    const unbound = this.declarations(n.declarations, scope);
    if (n.kind === 'LetIn') return [this.outputRef(n.body, scope)];
    if (unbound.length > 0) return unbound;
    return n.declarations.map((d) => scope.slots.get(d.binder!.name)!.source!);
  }

  private scope(decls: readonly Declaration[], parent: Scope | undefined): Scope {
    const scope: Scope = { parent, slots: new Map() };
    for (const d of decls) {
      if (!d.binder) continue;
      const prior = scope.slots.get(d.binder.name);
      if (prior) {
        const at = prior.decl.binder!.span?.start;
        this.fail('graph/duplicate-binding', `variable \`${d.binder.name}\` is bound twice${at ? ` (first at ${at.line}:${at.column})` : ''}`,
          d.binder.span, 'rename one of the declarations');
      }
      const slot: Slot = { decl: d, scope, state: 'pending' };
      const ref = d.value.ref;
      if (ref.kind === 'AtomicName' || ref.kind === 'Resolved') {
        slot.preNode = this.newNode(ref);
        slot.source = { node: slot.preNode };
      }
      scope.slots.set(d.binder.name, slot);
    }
    return scope;
  }

  /** Wire every declaration; returns the sources of the unbound ones. */
  private declarations(decls: readonly Declaration[], scope: Scope): Source[] {
    const unbound: Source[] = [];
    for (const d of decls) {
      if (d.binder) this.resolveSlot(scope.slots.get(d.binder.name)!, d.binder.span);
      else unbound.push(this.substitution(d.value, scope));
    }
    return unbound;
  }

  private resolveSlot(slot: Slot, usedAt: Span | undefined): Source {
    if (slot.state === 'done') return slot.source!;
    if (slot.state === 'active') {
      if (slot.source) return slot.source;
      this.fail('graph/invalid', `variable \`${slot.decl.binder!.name}\` is defined in terms of itself with no name in between`, usedAt,
        'a cycle must pass through at least one atomic name, e.g. `a = f($a)`');
    }
    slot.state = 'active';
    slot.source = this.substitution(slot.decl.value, slot.scope, slot.preNode);
    slot.state = 'done';
    return slot.source;
  }

  private lookup(name: string, scope: Scope | undefined, span: Span | undefined): Source {
    for (let s = scope; s; s = s.parent) {
      const slot = s.slots.get(name);
      // A pre-allocated node is wired when its own declaration's turn comes; wiring it here would recurse along chains.
      if (slot) return slot.preNode !== undefined ? slot.source! : this.resolveSlot(slot, span);
    }
    return this.fail('graph/unbound-variable', `variable \`$${name}\` is not bound by any enclosing \`let\` or \`compose\``, span,
      `declare it, e.g. \`let ${name} = … in …\`; an input of a name is written \`$${name}\` inside its parameters instead`);
  }

  private newNode(ref: AtomicName | { kind: 'Resolved'; id: { name: string }; span?: Span }): number {
    const id = this.nodes.length;
    if (ref.kind === 'Resolved') {
      if (!this.resolved.includes(ref.id.name)) this.resolved.push(ref.id.name);
      this.nodes.push({ kind: 'resolved', id, variable: ref.id.name, ...(ref.span ? { span: ref.span } : {}) });
    } else {
      const params = (ref.id.params ?? []).map((p): GraphParam => ({ key: p.key.name, value: this.value(p.value, id) }));
      // The namespace is filled in when the node is wired: a named namespace may refer to later declarations.
      this.nodes.push({
        kind: 'atomic', id, namespace: { kind: 'default' }, nameId: ref.id.id.name, params,
        ...(ref.span ? { span: ref.span } : {}),
      });
    }
    return id;
  }

  private value(v: ParamValue, node: number): Value {
    switch (v.kind) {
      case 'String': return { kind: 'String', value: v.value };
      case 'List': return { kind: 'List', items: v.items.map((x) => this.value(x, node)) };
      case 'InputRef':
        this.inputRefs.push({ node, port: v.input.name });
        return { kind: 'InputRef', input: v.input.name };
    }
  }

  private namespace(ns: NamespaceId | undefined, scope: Scope | undefined): NamespaceRef {
    if (!ns) return { kind: 'default' };
    if (ns.kind === 'BuiltinNamespace') {
      return { kind: 'builtin', id: ns.id.id.name, params: (ns.id.params ?? []).map((p) => ({ key: p.key.name, value: stripValue(p.value) })) };
    }
    return { kind: 'named', source: this.outputRef(ns.ref, scope) };
  }

  private substitution(s: Substitution, scope: Scope | undefined, preNode?: number): Source {
    const ref = s.ref;
    let target: Source;
    if (ref.kind === 'AtomicName') {
      const node = preNode ?? this.newNode(ref);
      (this.nodes[node] as { namespace: NamespaceRef }).namespace = this.namespace(ref.namespace, scope);
      target = { node };
    } else if (ref.kind === 'Resolved') {
      target = { node: preNode ?? this.newNode(ref) };
    } else if (ref.kind === 'Variable') {
      if (s.args) {
        this.fail('graph/invalid', `variable \`$${ref.id.name}\` stands for a node's outputs and cannot take inputs`, s.span,
          `give the inputs in the declaration of \`${ref.id.name}\``);
      }
      return this.lookup(ref.id.name, scope, ref.span);
    } else {
      const roots = this.name(ref.name, scope);
      if (roots.length !== 1) {
        this.fail('graph/invalid', `a nested \`compose\` must have exactly one result (an unbound declaration), it has ${roots.length}`, ref.span,
          'leave exactly one declaration without `x =`');
      }
      target = roots[0]!;
    }
    if (s.args) this.wire(s, target, scope);
    return target;
  }

  private wire(s: Substitution, target: Source, scope: Scope | undefined): void {
    if (target.output !== undefined || target.projection) {
      this.fail('graph/invalid', 'inputs cannot be given to an output reference', s.span, 'apply the inputs before selecting `.output` or a projection');
    }
    const node = target.node;
    let positional = this.positionalCount.get(node) ?? 0;
    let named = this.namedPorts.get(node);
    for (const a of s.args!) {
      let port: PortKey;
      if (a.formal) {
        if (!named) this.namedPorts.set(node, (named = new Set()));
        if (named.has(a.formal.name)) {
          this.fail('graph/duplicate-binding', `input \`${a.formal.name}\` is given twice`, a.formal.span, 'give each input once');
        }
        named.add(a.formal.name);
        port = { kind: 'named', name: a.formal.name };
      } else {
        port = { kind: 'positional', index: positional++ };
      }
      const from = this.outputRef(a.value, scope);
      this.edges.push({ from, to: node, port, ...(a.span ? { span: a.span } : {}) });
    }
    this.positionalCount.set(node, positional);
  }

  private outputRef(r: OutputRef, scope: Scope | undefined): Source {
    let src = this.substitution(r.name, scope);
    if (r.output) {
      if (src.output !== undefined || src.projection) {
        this.fail('graph/invalid', `output \`.${r.output.name}\` is selected from something that is already an output reference`, r.output.span,
          'select the output once');
      }
      src = { ...src, output: r.output.name };
    }
    if (r.projection) src = { ...src, projection: [...(src.projection ?? []), ...r.projection] };
    return src;
  }
}

function stripValue(v: ParamValue): Value {
  switch (v.kind) {
    case 'String': return { kind: 'String', value: v.value };
    case 'List': return { kind: 'List', items: v.items.map(stripValue) };
    case 'InputRef': return { kind: 'InputRef', input: v.input.name };
  }
}
