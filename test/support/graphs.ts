/**
 * Random wiring graphs as a model, and the model written as a name in
 * several ways (tree, let, compose in any order), for the spelling laws.
 */
import fc from 'fast-check';

export interface ModelNode {
  namespace: string;
  nameId: string;
  params: [string, string][];
  /** [port, source node index] */
  inputs: [string, number][];
}

/** A DAG whose node 0 is the root and every node feeds some earlier node (so the root reaches all). */
export const dag: fc.Arbitrary<ModelNode[]> = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(
    fc.array(fc.tuple(fc.constantFrom('ns', 'git', 'cc'), fc.constantFrom('a', 'b', 'compile'),
      fc.uniqueArray(fc.tuple(fc.constantFrom('k', 'm', 'x', 'sha256'), fc.constantFrom('1', 'v', 'a b', 'http://h/p')), { maxLength: 3, selector: (p) => p[0] })),
    { minLength: n, maxLength: n }),
    fc.array(fc.nat(), { minLength: n, maxLength: n }),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: n }),
  ).map(([atoms, consumers, extra]) => {
    const nodes: ModelNode[] = atoms.map(([namespace, nameId, params]) => ({ namespace, nameId, params, inputs: [] }));
    const connect = (to: number, from: number) => {
      const node = nodes[to]!;
      node.inputs.push([`p${node.inputs.length}`, from]);
    };
    for (let k = 1; k < n; k++) connect(consumers[k]! % k, k);
    for (const [a, b] of extra) {
      const to = a % n;
      const from = b % n;
      if (from > to) connect(to, from);
    }
    return nodes;
  }));

function atom(m: ModelNode, shuffle?: (xs: [string, string][]) => [string, string][]): string {
  const ps = shuffle ? shuffle(m.params) : m.params;
  const q = ps.map(([k, v]) => `${k}=${/^[a-z0-9]+$/.test(v) ? v : JSON.stringify(v)}`).join('&');
  return `${m.namespace}:${m.nameId}${q ? `?${q}` : ''}`;
}

/** Written as one nested tree (shared nodes are written out again). */
export function asTree(nodes: ModelNode[], i = 0, shuffle?: (xs: [string, string][]) => [string, string][]): string {
  const m = nodes[i]!;
  const args = m.inputs.map(([p, s]) => `${p}: ${asTree(nodes, s, shuffle)}`);
  return atom(m, shuffle) + (args.length ? `(${args.join(', ')})` : '');
}

function declBody(nodes: ModelNode[], i: number, binder: (k: number) => string): string {
  const m = nodes[i]!;
  const args = m.inputs.map(([p, s]) => `${p}: $${binder(s)}`);
  return atom(m) + (args.length ? `(${args.join(', ')})` : '');
}

/** `let v1 = …; v2 = … in root(…)`. */
export function asLet(nodes: ModelNode[], binder: (k: number) => string = (k) => `v${k}`): string {
  if (nodes.length === 1) return declBody(nodes, 0, binder);
  const decls = nodes.slice(1).map((_, j) => `${binder(j + 1)} = ${declBody(nodes, j + 1, binder)}`);
  return `let ${decls.join('; ')} in ${declBody(nodes, 0, binder)}`;
}

/** `compose …` with the declarations in the given order; the root is the only unbound one. */
export function asCompose(nodes: ModelNode[], order: number[], binder: (k: number) => string = (k) => `w${k}`): string {
  const decls = order.map((i) => (i === 0 ? declBody(nodes, 0, binder) : `${binder(i)} = ${declBody(nodes, i, binder)}`));
  return `compose ${decls.join('; ')}`;
}
