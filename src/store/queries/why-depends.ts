/**
 * Why does one object depend on another (`nix why-depends`): a chain of
 * references from `from` to `to`, the shortest by default, or every object
 * of `from`'s closure that lies on some such chain.
 *
 * Objects are store entries (`<hash>-<name>`, as the `refs` table holds
 * them). The walk reads one object's references at a time, so the shortest
 * chain is found without reading more of the closure than its breadth-first
 * search reaches before `to`.
 */
import { closure } from '../closure.js';
import type { Store } from '../store.js';

/** What `whyDepends` found. */
export interface WhyDependsResult {
  /**
   * The shortest chain `from → … → to` (both included; `[from]` when they
   * are the same object), or undefined when `from`'s closure lacks `to`.
   */
  readonly path: readonly string[] | undefined;
}

/**
 * The shortest chain of references from one of `from` (the results of one
 * name) to `to`. Self-references are not steps: an object depends on itself
 * by a chain of length one.
 */
export function whyDepends(store: Store, from: readonly string[], to: string): WhyDependsResult {
  if (from.includes(to)) return { path: [to] };
  // Breadth-first: the first time `to` is reached is by a shortest chain. Each object's references
  // are read in sorted order, so among chains of equal length the answer is always the same one.
  const parent = new Map<string, string>(from.map((f) => [f, f]));
  let frontier = [...from];
  while (frontier.length) {
    const next: string[] = [];
    for (const p of frontier) {
      for (const r of store.db.references(p)) {
        if (parent.has(r)) continue;
        parent.set(r, p);
        if (r === to) return { path: chainTo(parent, to) };
        next.push(r);
      }
    }
    frontier = next;
  }
  return { path: undefined };
}

function chainTo(parent: ReadonlyMap<string, string>, to: string): string[] {
  const chain = [to];
  // A start of the search is its own parent.
  for (let p = to; parent.get(p) !== p; ) {
    p = parent.get(p)!;
    chain.push(p);
  }
  return chain.reverse();
}

/**
 * Every chain from `from` to `to` at once: the objects of the closure of `from`
 * that reach `to`, each with its references among them (sorted; no
 * self-references). Empty when `from`'s closure lacks `to`; `{to: []}` when
 * they are the same object.
 */
export function allPathsGraph(store: Store, from: readonly string[], to: string): ReadonlyMap<string, readonly string[]> {
  const inClosure = new Set(closure(store, from));
  if (!inClosure.has(to)) return new Map();
  // Walk back from `to` through referrers, inside the closure: what is reached leads to `to`.
  const leads = new Set<string>([to]);
  const back = [to];
  while (back.length) {
    for (const r of store.db.referrers(back.pop()!)) {
      if (inClosure.has(r) && !leads.has(r)) {
        leads.add(r);
        back.push(r);
      }
    }
  }
  const graph = new Map<string, string[]>();
  for (const p of [...leads].sort()) graph.set(p, p === to ? [] : store.db.references(p).filter((r) => r !== p && leads.has(r)));
  return graph;
}
