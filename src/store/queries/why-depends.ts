/**
 * Why does one object depend on another (`nix why-depends`): a chain of
 * references from `from` to `to`, the shortest by default, or every object
 * of `from`'s closure that lies on some such chain.
 *
 * Objects are store entries (`<hash>-<name>`, as the `refs` table holds
 * them). A query reads only the part of the store its search reaches, one
 * level of the search per database query.
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

/** One side of the search: each object reached, with its neighbour toward the side's start. */
type Side = Map<string, string>;

/**
 * The shortest chain of references from one of `from` (the results of one
 * name) to `to`. Self-references are not steps: an object depends on itself
 * by a chain of length one.
 *
 * The search runs from both ends, forward through references from `from`
 * and backward through referrers from `to`, one whole level at a time of
 * whichever side has the smaller frontier. Either side running dry ends it,
 * so an object outside the closure (few referrers) costs little even when
 * the closure is the whole store, and a chain into a large closure is found
 * without walking all of it.
 */
export function whyDepends(store: Store, from: readonly string[], to: string): WhyDependsResult {
  if (from.includes(to)) return { path: [to] };
  const forward: Side = new Map(from.map((f) => [f, f]));
  const backward: Side = new Map([[to, to]]);
  let ahead = [...from];
  let behind = [to];
  while (ahead.length && behind.length) {
    const goForward = ahead.length <= behind.length;
    const [mine, theirs, frontier] = goForward ? [forward, backward, ahead] : [backward, forward, behind];
    const next: string[] = [];
    for (const [p, r] of goForward ? store.db.referencesOfAll(frontier) : store.db.referrersOfAll(frontier)) {
      if (mine.has(r)) continue;
      mine.set(r, p);
      // Before this level the sides had not met, so every chain is longer than their depths together:
      // any meeting point of this level ends a shortest chain.
      if (theirs.has(r)) return { path: [...walk(forward, r).reverse(), ...walk(backward, r).slice(1)] };
      next.push(r);
    }
    if (goForward) ahead = next;
    else behind = next;
  }
  return { path: undefined };
}

/** The chain from `at` back to the start of `side` (a start is its own neighbour). */
function walk(side: Side, at: string): string[] {
  const chain = [at];
  for (let p = at; side.get(p) !== p; ) {
    p = side.get(p)!;
    chain.push(p);
  }
  return chain;
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
