/** The closure of objects: themselves and everything they refer to, transitively (what a build may see, what gc keeps). */
import type { Store } from './store.js';

export function closure(store: Store, objectPaths: Iterable<string>): string[] {
  return walk(objectPaths, (p) => store.db.references(p));
}

/**
 * The closure under the referrers relation: the objects themselves and every object that refers to
 * them, transitively (as `nix-store -q --referrers-closure`).
 */
export function referrersClosure(store: Store, objectPaths: Iterable<string>): string[] {
  return walk(objectPaths, (p) => store.db.referrers(p));
}

function walk(start: Iterable<string>, next: (p: string) => readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const r of next(p)) if (!seen.has(r)) todo.push(r);
  }
  return [...seen].sort();
}
