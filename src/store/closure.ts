/** The closure of objects: themselves and everything they refer to, transitively (what a build may see, what gc keeps). */
import type { Store } from './store.js';

export function closure(store: Store, objectPaths: Iterable<string>): string[] {
  const seen = new Set<string>();
  const todo = [...objectPaths];
  while (todo.length) {
    const p = todo.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    for (const r of store.db.references(p)) if (!seen.has(r)) todo.push(r);
  }
  return [...seen].sort();
}
