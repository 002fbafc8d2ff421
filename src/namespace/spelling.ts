/**
 * The one default spelling of a name (docs/spec/spelling.md): every node's
 * namespace spelled as the namespace of namespaces spells it, with the
 * namespace's own parameters in canonical order. `nomia spell`, resolution,
 * re-spelling, following reductions and recording them all spell through
 * here, so a name has one spelling wherever it is looked up or recorded.
 * (A namespace may still spell its own nodes, `Namespace.spell`: resolution
 * applies that on top.)
 */
import { compareUtf8 } from '../graph/bytes.js';
import { flatten } from '../graph/flatten.js';
import { spell, type Spelling, type Spellings, type SpellOptions } from '../graph/spell.js';
import type { Graph, GraphParam, Value } from '../graph/types.js';
import type { Name } from '../name/ast.js';
import { parseName } from '../name/parse.js';
import type { Registry } from './registry.js';

/** The parameter value as it is written into a namespace's spelling (field order fixed). */
function valueJson(v: Value): unknown {
  switch (v.kind) {
    case 'String': return { kind: 'String', value: v.value };
    case 'List': return { kind: 'List', items: v.items.map(valueJson) };
    case 'InputRef': return { kind: 'InputRef', input: v.input };
  }
}

/**
 * The text a namespace with parameters is spelled by (tag 3 of the spec):
 * its spelling in the namespace of namespaces, then, if it has parameters,
 * the JSON array `[[key, value], …]` sorted by key (UTF-8 bytes), each value
 * `{"kind":"String","value":…}`, `{"kind":"List","items":[…]}` or
 * `{"kind":"InputRef","input":…}`. Undefined for an id the registry does not
 * know: such a name is spelled as written (tag 1); it cannot be realized.
 */
export function namespaceSpelling(registry: Pick<Registry, 'spelling'>): (id: string, params: readonly GraphParam[]) => string | undefined {
  return (id, params) => {
    let own: string;
    try {
      own = registry.spelling(id);
    } catch {
      return undefined;
    }
    if (params.length === 0) return own;
    const sorted = [...params].sort((a, b) => compareUtf8(a.key, b.key));
    return own + JSON.stringify(sorted.map((p) => [p.key, valueJson(p.value)]));
  };
}

/** The spelling options every default spelling uses; `extra` adds `@x` bindings or a default namespace. */
export function spellingOptions(registry: Pick<Registry, 'spelling'>, extra: Omit<SpellOptions, 'namespaceSpelling'> = {}): SpellOptions {
  return { ...extra, namespaceSpelling: namespaceSpelling(registry) };
}

/** The default spelling of a flattened name and of each of its nodes. Throws `NomiaGraphError`. */
export function spellGraph(graph: Graph, registry: Pick<Registry, 'spelling'>, extra?: Omit<SpellOptions, 'namespaceSpelling'>): Spellings {
  return spell(graph, spellingOptions(registry, extra));
}

/** The default spelling of a name (text, or parsed with its text); undefined if it cannot be spelled. */
export function spellName(name: string | Name, registry: Pick<Registry, 'spelling'>, source?: string): Spelling | undefined {
  try {
    const text = typeof name === 'string' ? name : source;
    const parsed = typeof name === 'string' ? parseName(name) : name;
    return spellGraph(flatten(parsed, text), registry).name;
  } catch {
    return undefined;
  }
}
