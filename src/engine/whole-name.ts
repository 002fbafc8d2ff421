/**
 * Whole-name lookups (DESIGN.md §7, step 4): the second realize of the same
 * whole name is one lookup, and for a name given as text not even a parse.
 *
 * Two kinds of rows in the reductions table, each under its own emitter:
 *
 * - `engine:graph@1`: the name's default spelling (§3, no namespace
 *   overrides) → the JSON list of its results' refined names. Recorded
 *   only for names with no contextual part and no named namespace (whose
 *   implementation, e.g. a script's content, the graph spelling does not
 *   see), so the spelling alone determines the results.
 * - `engine:text@1`: a key of the exact name text → that default spelling.
 *   The key hashes the text with the fingerprint of the namespace of
 *   namespaces (every configured id and its spelling, which covers the
 *   config files and the content of external commands), because the
 *   spelling of a text is a function of exactly those two. It memoizes
 *   parse, flatten and spell, nothing else: the results still come from the
 *   graph row, and still only when every object they name is present.
 */
import { createHash } from 'node:crypto';
import type { Spelling } from '../graph/spell.js';
import { NAME_SYNTAX_VERSION } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Resource } from '../namespace/types.js';
import type { Store } from '../store/store.js';
import { materialize, record } from './reductions.js';

/** The emitter of graph-level reductions: whole name → its results (a JSON list of names). */
export const GRAPH = 'engine:graph@1';
/** The emitter of text memos: name text key → the name's default spelling. */
export const TEXT = 'engine:text@1';

const fingerprints = new WeakMap<Registry, string>();

/**
 * What the spelling of a name text depends on besides the text: every id of the registry and its
 * spelling; and what its results may depend on: the signers it trusts, for which namespaces.
 */
export function registryFingerprint(registry: Registry): string {
  let f = fingerprints.get(registry);
  if (f === undefined) {
    const h = createHash('sha256').update('nomia-registry-1\0');
    for (const id of registry.ids()) h.update(`${id}\0${registry.spelling(id)}\0`);
    for (const t of registry.trust) h.update(`trust\0${t.key}\0${t.namespaces === '*' ? '*' : [...t.namespaces].sort().join(',')}\0`);
    f = h.digest('hex');
    fingerprints.set(registry, f);
  }
  return f;
}

/**
 * The key of a name text under a registry: `text1-<hex SHA-256>`. The syntax
 * version counts too: a text that means something else under a newer parser
 * must not find the spelling memoized under the older one.
 */
export function textKey(text: string, registry: Registry): string {
  return `text1-${createHash('sha256').update(`nomia-text-1\0syntax-${NAME_SYNTAX_VERSION}\0${registryFingerprint(registry)}\0`).update(text).digest('hex')}`;
}

/** The default spelling memoized for a name text, if any. */
export function lookupText(store: Store, key: string): Spelling | undefined {
  return store.db.reductionsFrom(key).find((r) => r.namespace === TEXT)?.to as Spelling | undefined;
}

/**
 * What a whole name spelled `spelling` is recorded under: its spelling, or, where the registry trusts
 * signers, the spelling with the registry's fingerprint. Its results may rest on signed rows (a
 * substitution) that only this trust follows; under another trust (another project) the whole name
 * is not one lookup, and its nodes are looked up each under that trust.
 */
export function graphKey(spelling: Spelling, registry: Registry): string {
  return registry.trust.length === 0 ? spelling : `${spelling}+trust-${registryFingerprint(registry).slice(0, 32)}`;
}

/**
 * The results recorded for a whole name spelled `spelling`, each present in
 * the store (values are always present), or undefined.
 */
export function lookupGraph(store: Store, spelling: Spelling, registry: Registry): Resource[] | undefined {
  // The engine's own row: a user's assertion from the same spelling is a node's, followed by the node's lookup.
  const row = store.db.reductionsFrom(graphKey(spelling, registry)).find((r) => r.namespace === GRAPH);
  if (!row) return undefined;
  let names: unknown;
  try {
    names = JSON.parse(row.to);
  } catch {
    return undefined;
  }
  if (!Array.isArray(names)) return undefined;
  const out: Resource[] = [];
  for (const n of names) {
    const m = typeof n === 'string' ? materialize(store, n, registry) : undefined;
    if (!m) return undefined;
    out.push(m.resource);
  }
  return out;
}

/** Record a realized whole name: its spelling (`graphKey`) → its results, and the text key → its spelling. */
export function recordWholeName(store: Store, registry: Registry, spelling: Spelling, roots: readonly Resource[], key?: string): void {
  record(store, { from: graphKey(spelling, registry), namespace: GRAPH, to: JSON.stringify(roots.map((r) => r.name)), kind: 'realized' });
  if (key !== undefined) record(store, { from: key, namespace: TEXT, to: spelling, kind: 'realized' });
}
