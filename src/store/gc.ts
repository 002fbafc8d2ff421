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
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dropOutLink, outLinks, type OutLink } from './out-links.js';
import { sweepLocks } from './lockfile.js';
import { memosMentioning } from './memos-gc.js';
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
  /**
   * Conditional roots that no longer hold (their process exited or lease expired) and out-links that
   * are gone or point elsewhere (`out-link PATH`): removed by `delete`.
   */
  readonly expiredRoots: readonly string[];
  /**
   * Dead objects this process may not delete: in a store shared by a group, the directory trees
   * other users added (only their owner or root can remove a read-only directory). They stay
   * registered until their owner or root runs gc; not counted in `dead`.
   */
  readonly kept: readonly string[];
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
  /** Out-links that are gone or point elsewhere. */
  readonly deadOutLinks: readonly OutLink[];
}

/** Mark from live roots (named and temporary) through references. Read-only; call it under the lock to act on it. */
export function markLive(store: Store, now = Date.now()): LiveSet {
  const { db } = store;
  const expiredRoots: RootRow[] = [];
  const deadTempRoots: TempRootRow[] = [];
  const deadOutLinks: OutLink[] = [];
  const stack: [string, string][] = [];
  for (const root of db.roots()) {
    if (rootLive(root, now)) stack.push([root.object, root.name]);
    else expiredRoots.push(root);
  }
  // An out-link roots what it points to now (Nix's gcroots/auto): read inside the lock, so an out-link
  // made after this point belongs to a process whose temporary root gc also sees.
  for (const link of outLinks(store)) {
    if (link.object !== undefined) stack.push([link.object, `out-link ${link.link}`]);
    else deadOutLinks.push(link);
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
  return { holders, expiredRoots, deadTempRoots, deadOutLinks };
}

const DENIED = Symbol('denied');

/** Run a move that another user's read-only directory refuses (EACCES, EPERM); DENIED then. */
function unlessDenied<T>(f: () => T): T | typeof DENIED {
  try {
    return f();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return DENIED;
    throw e;
  }
}

/** Whether this process could move the entry at `p` out of store/ (a dry run's guess at `kept`). */
function mayMove(p: string): boolean {
  const uid = process.geteuid?.();
  if (uid === undefined || uid === 0) return true;
  try {
    const st = lstatSync(p);
    return !st.isDirectory() || st.uid === uid;
  } catch {
    return true;
  }
}

export function gc(store: Store, options: GcOptions): GcResult {
  const del = options.action === 'delete';
  const { db, layout } = store;
  const now = Date.now();
  const moved: string[] = [];
  const result = db.immediate((): GcResult => {
    settleTrash(store);
    const live = markLive(store, now);
    const expiredRoots = [...live.expiredRoots.map((r) => r.name), ...live.deadOutLinks.map((l) => `out-link ${l.link}`)];
    if (del) {
      for (const r of live.expiredRoots) db.deleteRoot(r.name);
      for (const l of live.deadOutLinks) dropOutLink(l);
      for (const t of live.deadTempRoots) db.deleteTempRoot(t);
    }
    const marked = live.holders;
    const objects = db.objects();
    const registered = new Set(objects.map((o) => o.path));
    let dead = objects.filter((o) => !marked.has(o.path));
    const kept = new Set<string>();
    const leftovers = [
      // An unregistered entry a live process holds is a commit in flight (commit.ts), not a leftover.
      ...readdirSync(layout.storeDir).filter((e) => !registered.has(e) && !marked.has(e)).map((e) => `store/${e}`),
      ...staleTmp(store).map((e) => `tmp/${e}`),
    ];
    if (del) {
      for (const o of dead) {
        const name = unlessDenied(() => moveToTrash(store, o.path));
        if (name === DENIED) {
          kept.add(o.path);
          continue;
        }
        if (name) moved.push(name);
        db.deleteObject(o.path);
      }
      for (const l of leftovers) {
        const [dir, entry] = l.split('/') as [string, string];
        // Another user's leftover stays for them (or root) to remove.
        unlessDenied(() => discard(store, join(layout.home, dir, entry), `${dir}-${entry}`));
      }
    } else {
      for (const o of dead) if (!mayMove(join(layout.storeDir, o.path))) kept.add(o.path);
    }
    dead = dead.filter((o) => !kept.has(o.path));
    return {
      dead: dead.map((o) => o.path), bytesFreed: dead.reduce((s, o) => s + o.narSize, 0),
      live: objects.length - dead.length - kept.size, kept: [...kept], expiredRoots, leftovers,
    };
  });
  if (!del) return result;
  commitTrash(store, moved);
  emptyTrash(store);
  pruneIndexes(store, result.dead);
  // Lock files of processes that died holding them: harmless (the next taker takes them over), but clutter.
  const locks = sweepLocks(join(layout.home, 'locks')).map((l) => `locks/${l}`);
  return locks.length ? { ...result, leftovers: [...result.leftovers, ...locks] } : result;
}

/**
 * What the database keeps beside objects that a gc makes stale: the memos
 * of whole names whose results mention a deleted object (memos-gc.ts; the
 * others hold, so the next no-op is still answered from its memo), and
 * stat cache entries of paths that no longer exist (a file that comes back
 * is read once).
 */
function pruneIndexes(store: Store, dead: readonly string[]): void {
  const { db } = store;
  const gone = db.statPaths().filter((path) => {
    try {
      lstatSync(path);
      return false;
    } catch {
      return true;
    }
  });
  // Not flushed: an entry or a memo that comes back after a power loss is checked before it is used.
  db.immediate(() => {
    db.deleteMemosOf(memosMentioning(store, dead));
    for (const path of gone) db.deleteStatEntry(path);
  }, { flush: false });
}
