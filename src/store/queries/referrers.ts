/**
 * Which objects refer to an object (`nix-store -q --referrers`): directly,
 * or transitively (`--referrers-closure`, which includes the object itself).
 */
import { referrersClosure } from '../closure.js';
import type { Store } from '../store.js';

export interface ReferrersOptions {
  /** Every object that reaches `path` through references, `path` included. */
  readonly recursive?: boolean;
}

/** The store entries that refer to `path` (sorted; a self-reference is not a referrer). */
export function referrers(store: Store, path: string, options: ReferrersOptions = {}): string[] {
  if (options.recursive) return referrersClosure(store, [path]);
  return store.db.referrers(path).filter((r) => r !== path);
}
