/**
 * One rule for every walk of a user's directory into the store: a directory
 * that holds the store's own home (`NOMIA_HOME` inside a project) is refused.
 * Taking it would read the store into itself — a tree that grows while it is
 * copied, and a listing that never stats the same twice.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import type { Store } from './store.js';

/** Throw `usage` when the directory `abs` is the store's home or lies above it; `what` says what was being done. */
export function refuseHoldingStore(store: Store, abs: string, what = 'add'): void {
  const home = realpathSync(store.layout.home);
  const real = realpathSync(abs);
  if (home === real || home.startsWith(`${real}${sep}`)) {
    throw new NomiaStoreError('usage', `cannot ${what} ${abs}: it contains the store (${store.layout.home})`, { path: abs, hint: 'use a directory that does not hold the store, or keep the store elsewhere (--store DIR, $NOMIA_HOME)' });
  }
}
