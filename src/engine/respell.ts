/**
 * Re-spelling a node from the refined names of its inputs (DESIGN.md §7,
 * step 2): the spelling it is looked up by once its inputs are realized, so
 * that an input that ran again but came out identical leaves it unchanged
 * (early cutoff).
 */
import { nodeLabel } from '../graph/render.js';
import { spelledBy, type Spelling } from '../graph/spell.js';
import { applyNode } from '../graph/apply.js';
import { portLabel, type Graph, type GraphParam } from '../graph/types.js';
import type { Resource } from '../namespace/types.js';
import type { Registry } from '../namespace/registry.js';
import { spellGraph } from '../namespace/spelling.js';
import { byContentName } from '../resource/names.js';
import type { Store } from '../store/store.js';
import { graphOfName } from './name-graphs.js';
import { nodeOverride, type ResolvedNode } from './resolve.js';

/**
 * The spelling of `n` written with its inputs replaced by their refined names, or, when its namespace
 * spells it itself, that namespace's answer given the spellings of those names (a canonical set of
 * parameters is applied to the refined names as written).
 */
export async function respell(n: ResolvedNode, graph: Graph, given: Readonly<Record<string, Resource>>, registry: Registry, store: Store, selections?: Selections): Promise<Spelling> {
  if (n.inputs.length === 0) return n.spelling;
  const inputs = await byWhatTheySelect(n, given, store, selections);
  const spellingOf = (text: string) => {
    let s: Spelling | undefined;
    try {
      s = spellGraph(graphOfName(text), registry).name;
    } catch {
      // Said below, with the name.
    }
    if (!s) throw new Error(`cannot spell the refined name ${text}`);
    return s;
  };
  let label = n.label;
  let params: readonly GraphParam[] | undefined;
  if (n.namespace.spell) {
    const spellings: Record<string, Spelling> = {};
    for (const e of n.inputs) spellings[portLabel(e.port)] = spellingOf(inputs[portLabel(e.port)]!.name);
    const o = nodeOverride(n.namespace, await n.namespace.spell(n.request, spellings));
    if (o && 'text' in o) return spelledBy(o);
    // Its canonical form: the same name with the parameters the namespace gave.
    const node = graph.nodes[n.id]!;
    if (o && node.kind === 'atomic') {
      label = nodeLabel({ ...node, params: o.params });
      params = o.params;
    }
  }
  const node = graph.nodes[n.id]!;
  if (node.kind === 'atomic' && node.namespace.kind === 'builtin') {
    const head = { ...node, params: params ?? node.params };
    const applied = applyNode(head, n.inputs.map((e) => ({ port: e.port, graph: graphOfName(inputs[portLabel(e.port)]!.name) })));
    if (applied) return spellGraph(applied, registry).name;
  }
  const positional = n.inputs.filter((e) => e.port.kind === 'positional').sort((a, b) => (a.port as { index: number }).index - (b.port as { index: number }).index);
  const named = n.inputs.filter((e) => e.port.kind === 'named');
  const args = [...positional.map((e) => `(${inputs[portLabel(e.port)]!.name})`), ...named.map((e) => `${portLabel(e.port)}: (${inputs[portLabel(e.port)]!.name})`)];
  return spellingOf(`${label}(${args.join(', ')})`);
}

/**
 * The content names of the projected inputs one realize has worked out, by the path selected and the name
 * given: a node fed the same file of a tree as twenty others (a program, `(tools)/bin/busybox`) reads its
 * hash once, not twenty times. Kept for one realize only, which holds every object it uses: a store path
 * holds one content while it is held.
 */
export type Selections = Map<string, Promise<string>>;

/**
 * The inputs as they count for the node: a projected input (`(tree)/a.c`) is named by the content of what
 * it selects, `filesystem:by-content?name=a.c&sha256=…`, not by the tree it is taken from, so a node that
 * reads one file of a tree is reused when only another file of the tree changed (per-file granularity).
 */
async function byWhatTheySelect(n: ResolvedNode, inputs: Readonly<Record<string, Resource>>, store: Store, selections?: Selections): Promise<Readonly<Record<string, Resource>>> {
  const projected = n.inputs.filter((e) => e.from.projection?.length && inputs[portLabel(e.port)]?.kind === 'object');
  if (projected.length === 0) return inputs;
  const out = { ...inputs };
  // Loaded only for a projected input: it brings the NAR code, which most processes never need.
  const { subObjectHash } = await import('../store/sub-object-hash.js');
  await Promise.all(projected.map(async (e) => {
    const port = portLabel(e.port);
    const r = inputs[port]!;
    if (r.kind !== 'object') return;
    const last = e.from.projection!.at(-1)!;
    const key = `${r.path}\0${last}`;
    let name = selections?.get(key);
    if (!name) {
      name = subObjectHash(store, r.path).then(({ hash }) => byContentName({ name: last, hash }));
      selections?.set(key, name);
    }
    out[port] = { ...r, name: await name };
  }));
  return out;
}

