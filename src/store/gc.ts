/**
 * Garbage collection: mark from live roots (named and temporary) through
 * references, sweep the rest.
 *
 * Crash story. Marking and the sweep's renames happen inside one SQLite
 * write transaction, the same lock an add holds while it renames and
 * registers, so gc never sees half an add. Dead objects leave through
 * trash/ (see trash.ts): moved out restorably inside the transaction, made
 * deletable after the commit, deleted last, outside the lock.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sweepLocks } from './lockfile.js';
import { processAlive } from './process.js';
import type { RootRow, TempRootRow } from './database.js';
import { rootLive } from './roots.js';
import type { Store } from './store.js';
import { commitTrash, discard, emptyTrash, moveToTrash, settleTrash } from './trash.js';

export interface GcOptions {
  /** `delete` sweeps; `list-dead` (a dry run) only reports. */
  readonly action: 'delete' | 'list-dead';
}

export interface GcResult {
  /** Object paths that are (or, for a dry run, would be) deleted. */
  readonly dead: readonly string[];
  /** Sum of their NAR sizes. */
  readonly bytesFreed: number;
  readonly live: number;
  /** Conditional roots that no longer hold (their process exited or lease expired): removed by `delete`. */
  readonly expiredRoots: readonly string[];
  /** Unregistered entries of store/ and tmp/ from interrupted work (and, after `delete`, lock files no live process holds): removed by `delete`. */
  readonly leftovers: readonly string[];
}

/** Temporary directories of tmp/ whose owning process has exited (named `<pid>-<start>-…`). */
export function staleTmp(store: Store): string[] {
  return readdirSync(store.layout.tmpDir).filter((e) => {
    const m = /^(\d+)-(\d+)-/.exec(e);
    return !m || !processAlive(Number(m[1]), Number(m[2]));
  });
}

/** What the live roots hold, and the roots and temporary roots that no longer hold anything. */
export interface LiveSet {
  /** Every object a live root reaches through references, with the name of one root that reaches it (`temporary root of pid N` for an operation in flight). */
  readonly holders: ReadonlyMap<string, string>;
  readonly expiredRoots: readonly RootRow[];
  readonly deadTempRoots: readonly TempRootRow[];
}

/** Mark from live roots (named and temporary) through references. Read-only; call it under the lock to act on it. */
export function markLive(store: Store, now = Date.now()): LiveSet {
  const { db } = store;
  const expiredRoots: RootRow[] = [];
  const deadTempRoots: TempRootRow[] = [];
  const stack: [string, string][] = [];
  for (const root of db.roots()) {
    if (rootLive(root, now)) stack.push([root.object, root.name]);
    else expiredRoots.push(root);
  }
  for (const t of db.tempRoots()) {
    if (processAlive(t.pid, t.pidStart)) stack.push([t.object, `temporary root of pid ${t.pid}`]);
    else deadTempRoots.push(t);
  }
  const refs = new Map<string, string[]>();
  for (const { referrer, reference } of db.allReferences()) {
    const list = refs.get(referrer) ?? [];
    list.push(reference);
    refs.set(referrer, list);
  }
  const holders = new Map<string, string>();
  while (stack.length) {
    const [p, root] = stack.pop()!;
    if (holders.has(p)) continue;
    holders.set(p, root);
    for (const r of refs.get(p) ?? []) stack.push([r, root]);
  }
  return { holders, expiredRoots, deadTempRoots };
}

export function gc(store: Store, options: GcOptions): GcResult {
  const del = options.action === 'delete';
  const { db, layout } = store;
  const now = Date.now();
  const moved: string[] = [];
  const result = db.immediate((): GcResult => {
    settleTrash(store);
    const live = markLive(store, now);
    const expiredRoots = live.expiredRoots.map((r) => r.name);
    if (del) {
      for (const r of expiredRoots) db.deleteRoot(r);
      for (const t of live.deadTempRoots) db.deleteTempRoot(t);
    }
    const marked = live.holders;
    const objects = db.objects();
    const registered = new Set(objects.map((o) => o.path));
    const dead = objects.filter((o) => !marked.has(o.path));
    const leftovers = [
      ...readdirSync(layout.storeDir).filter((e) => !registered.has(e)).map((e) => `store/${e}`),
      ...staleTmp(store).map((e) => `tmp/${e}`),
    ];
    if (del) {
      for (const o of dead) {
        const name = moveToTrash(store, o.path);
        if (name) moved.push(name);
        db.deleteObject(o.path);
      }
      for (const l of leftovers) {
        const [dir, entry] = l.split('/') as [string, string];
        discard(store, join(layout.home, dir, entry), `${dir}-${entry}`);
      }
    }
    return {
      dead: dead.map((o) => o.path), bytesFreed: dead.reduce((s, o) => s + o.narSize, 0),
      live: objects.length - dead.length, expiredRoots, leftovers,
    };
  });
  if (!del) return result;
  commitTrash(store, moved);
  emptyTrash(store);
  // Lock files of processes that died holding them: harmless (the next taker takes them over), but clutter.
  const locks = sweepLocks(join(layout.home, 'locks')).map((l) => `locks/${l}`);
  return locks.length ? { ...result, leftovers: [...result.leftovers, ...locks] } : result;
}

