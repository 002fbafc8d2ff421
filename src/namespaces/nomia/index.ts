/**
 * The `nomia` namespace: namespaces as resources, for named namespaces
 * `(nomia:external?command=[python3, ./ns.py]):name` (DESIGN.md §5).
 * `builtin?id=…` is a built-in namespace; `external?command=[…]` a command
 * speaking docs/spec/protocol.md. The resource's value is its JSON spec; the
 * registry turns it into a namespace.
 */
import { leaf, type Namespace, onlyParams, requireParam, type Resource, unknownName, usage, valueName } from '../../namespace/index.js';

export type NamespaceSpec = { readonly builtin: string } | { readonly command: readonly string[] };

function namespaceResource(spec: NamespaceSpec): Resource {
  const value = JSON.stringify(spec);
  return { kind: 'value', type: 'namespace', value, name: valueName(value) };
}

export const nomiaNamespace: Namespace = {
  id: 'nomia',
  spelling: 'builtin:nomia@1',
  describe(req) {
    switch (req.nameId) {
      case 'builtin': onlyParams(req, ['id']); return leaf('namespace', false);
      case 'external': onlyParams(req, ['command']); return leaf('namespace', false);
      default: throw unknownName(req, ['builtin?id=…', 'external?command=[…]']);
    }
  },
  async realize(req) {
    if (req.nameId === 'builtin') return { out: namespaceResource({ builtin: requireParam(req, 'id', 'nomia:builtin?id=filesystem') }) };
    if (req.nameId !== 'external') throw unknownName(req, ['builtin', 'external']);
    const p = req.params.find((x) => x.key === 'command');
    if (!p || p.value.kind !== 'List' || p.value.items.length === 0 || !p.value.items.every((i) => i.kind === 'String')) {
      throw usage(req, 'needs `command=[program, arg, …]` of plain values', 'e.g. (nomia:external?command=[python3, "/path/ns.py"]):name');
    }
    return { out: namespaceResource({ command: p.value.items.map((i) => (i as { value: string }).value) }) };
  },
};
