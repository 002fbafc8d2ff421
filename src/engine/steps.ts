/**
 * The steps of a name (its nodes), for the commands that answer about a
 * name after the fact (`nomia log`, `nomia reductions`): each node's label
 * and the spelling realize keeps its log and reductions under. Resolving
 * describes nodes; it realizes nothing.
 */
import type { Spelling } from '../graph/spell.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Store } from '../store/store.js';
import { latestSpellings } from './latest-spellings.js';
import { resolve } from './resolve.js';

export interface NameStep {
  /** The node's atomic name, as the engine labels it in events. */
  readonly label: string;
  /** Its spelling from the graph alone: what its reductions and its latest log are kept under. */
  readonly spelling: Spelling;
  /** Depends on the caller's context: it runs on every realize and its own spelling records no reductions. */
  readonly tainted: boolean;
  /** The node gives one of the name's results. */
  readonly root: boolean;
  /**
   * A tainted node's spelling from its inputs as last realized, where its reductions are (with a `store`
   * given, and when each input's result is recorded); latest-spellings.ts.
   */
  readonly latest?: Spelling;
}

/**
 * The nodes of `text` in the order realize finishes them (inputs first), or
 * undefined when the name cannot be resolved without realizing something
 * (a named namespace) or is not a valid name. With `store`, each tainted
 * node's `latest` spelling from what is recorded there.
 */
export async function nameSteps(text: string, registry: Registry, store?: Store): Promise<NameStep[] | undefined> {
  let resolved;
  try {
    resolved = await resolve(parseName(text), registry, text);
  } catch {
    return undefined;
  }
  const roots = new Set(resolved.graph.roots.map((r) => r.node));
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (id: number): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const e of resolved.nodes[id]!.inputs) visit(e.from.node);
    order.push(id);
  };
  for (const r of resolved.graph.roots) visit(r.node);
  const latest = store ? await latestSpellings(store, resolved, registry) : undefined;
  return order.map((id) => {
    const n = resolved.nodes[id]!;
    const l = n.tainted ? latest?.get(id) : undefined;
    return { label: n.label, spelling: n.spelling, tainted: n.tainted, root: roots.has(id), ...(l === undefined ? {} : { latest: l }) };
  });
}
