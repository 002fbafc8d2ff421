/**
 * Roots keep objects alive through gc. A root is absolute (until removed) or
 * conditional: on a process still running (same pid and start time), or on
 * a lease that has not expired. Temporary roots are process roots without a
 * name, held by operations in flight (an add, an open handle); those of
 * processes that have exited are dropped whenever the roots are read by a
 * process that may write the store. Out-links (`out-links.ts`) are roots too.
 */
import { NomiaStoreError } from '../errors.js';
import type { RootRow, TempRootRow } from './database.js';
import { outLinks } from './out-links.js';
import { processAlive, processStart } from './process.js';
import type { Store } from './store.js';
import { checkRootName } from './root-name.js';

// Checked on its own (root-name.ts); here for the callers that add roots.
export { checkRootName };

export type RootSpec =
  | { readonly name: string; readonly object: string; readonly kind: 'absolute' }
  | { readonly name: string; readonly object: string; readonly kind: 'process'; readonly pid: number }
  | { readonly name: string; readonly object: string; readonly kind: 'lease'; readonly expiresAt: number };

export interface RootStatus {
  readonly root: RootRow
    | (TempRootRow & { readonly kind: 'temporary'; readonly name: string })
    /** `name` is the out-link's path; `object` is empty when it no longer points into the store. */
    | { readonly kind: 'out-link'; readonly name: string; readonly object: string };
  readonly live: boolean;
  /** Why it is live or dead, for `nomia roots`. */
  readonly why: string;
}

/** Whether a root keeps its object alive at time `now`. */
export function rootLive(root: RootRow, now = Date.now()): boolean {
  switch (root.kind) {
    case 'absolute': return true;
    case 'process': return root.pid !== undefined && root.pidStart !== undefined && processAlive(root.pid, root.pidStart);
    case 'lease': return root.expiresAt !== undefined && root.expiresAt > now;
  }
}

/** Create (or replace) a named root on a registered object. */
export function addRoot(store: Store, spec: RootSpec): RootRow {
  return addRoots(store, [spec])[0]!;
}

/**
 * Create (or replace) several named roots in one transaction: all of them or none (the supervisor roots
 * the closures of a whole chain of services at once, one commit instead of one per root). `flush: false`
 * skips the commit's fsync: for roots that a power loss ends anyway (conditional on a process).
 */
export function addRoots(store: Store, specs: readonly RootSpec[], options: { readonly flush?: false } = {}): RootRow[] {
  // One read of /proc per process, not per root: a chain's roots are all conditional on the supervisor.
  const starts = new Map<number, number | undefined>();
  const startOf = (pid: number) => (starts.has(pid) ? starts.get(pid) : starts.set(pid, processStart(pid)).get(pid));
  const rows = specs.map((spec) => rootRow(spec, startOf));
  store.db.immediate(() => {
    for (const row of rows) {
      if (!store.db.object(row.object)) {
        throw new NomiaStoreError('store/not-found', `${row.object} is not a registered object`, { hint: 'add it first with `nomia add`' });
      }
      store.db.putRoot(row);
    }
  }, options);
  return rows;
}

function rootRow(spec: RootSpec, startOf: (pid: number) => number | undefined): RootRow {
  checkRootName(spec.name);
  const now = Date.now();
  if (spec.kind === 'process') {
    const pidStart = startOf(spec.pid);
    if (pidStart === undefined) throw new NomiaStoreError('store/root', `no process ${spec.pid} is running`, { hint: 'give the pid of a running process' });
    return { name: spec.name, object: spec.object, kind: 'process', pid: spec.pid, pidStart, createdAt: now };
  }
  if (spec.kind === 'lease') {
    if (!(spec.expiresAt > now)) throw new NomiaStoreError('store/root', 'a lease must end in the future', { hint: 'e.g. --lease 2h' });
    return { name: spec.name, object: spec.object, kind: 'lease', expiresAt: spec.expiresAt, createdAt: now };
  }
  return { name: spec.name, object: spec.object, kind: 'absolute', createdAt: now };
}

export function removeRoot(store: Store, name: string): void {
  if (!removeRoots(store, [name])) {
    throw new NomiaStoreError('store/root', `there is no root named ${JSON.stringify(name)}`, { hint: '`nomia roots` lists them' });
  }
}

/** Remove the named roots that exist, in one transaction (`flush` as for `addRoots`); returns how many there were. */
export function removeRoots(store: Store, names: readonly string[], options: { readonly flush?: false } = {}): number {
  return store.db.immediate(() => names.filter((n) => store.db.deleteRoot(n)).length, options);
}

/**
 * Forget the temporary roots of processes that have exited: they hold
 * nothing (gc ignores them) and would only pile up in `nomia roots`. Does
 * nothing on a store opened read-only.
 * @returns how many were dropped.
 */
export function pruneTempRoots(store: Store): number {
  if (store.db.readOnly) return 0;
  // One read of /proc per holding process, not per row; a store nobody left rows in is not written at all.
  const dead = store.db.tempRootHolders().filter((h) => !processAlive(h.pid, h.pidStart));
  if (dead.length === 0) return 0;
  // Not flushed: a deletion a power loss undoes brings back rows of processes that have exited, which hold
  // nothing (gc and this drop them again); the next commit that is flushed makes it durable anyway.
  return store.db.volatile(() => dead.reduce((n, h) => n + store.db.removeTempRoots(h.pid, h.pidStart), 0));
}

/**
 * Every root with its liveness: named roots first, then out-links, then the
 * temporary roots of running processes (those of exited ones are dropped).
 */
export function listRoots(store: Store, now = Date.now()): RootStatus[] {
  pruneTempRoots(store);
  const named = store.db.roots().map((root): RootStatus => {
    const live = rootLive(root, now);
    const why = root.kind === 'absolute' ? 'absolute'
      : root.kind === 'process' ? `while process ${root.pid} runs${live ? '' : ' (it has exited)'}`
      : `${live ? 'until' : 'expired'} ${new Date(root.expiresAt!).toISOString()}`;
    return { root, live, why };
  });
  const links = outLinks(store).map((l): RootStatus => ({
    root: { kind: 'out-link', name: l.link, object: l.object ?? '' },
    live: l.object !== undefined,
    why: l.object !== undefined ? 'while this symlink points into the store' : 'the symlink is gone or points elsewhere',
  }));
  const temporary = store.db.tempRoots().filter((t) => processAlive(t.pid, t.pidStart)).map((t): RootStatus => (
    { root: { ...t, kind: 'temporary', name: `(temporary, pid ${t.pid})` }, live: true, why: `held by running process ${t.pid}` }
  ));
  return [...named, ...links, ...temporary];
}

/** Parse a lease duration like `30s`, `15m`, `2h`, `7d` into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new NomiaStoreError('usage', `${JSON.stringify(text)} is not a duration`, { hint: 'write a number and a unit: 30s, 15m, 2h or 7d' });
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
