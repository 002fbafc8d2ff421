/**
 * Garbage collection: mark from live roots (named and temporary) through
 * references, sweep the rest.
 *
 * Crash story. Marking and the sweep's *renames* happen inside one SQLite
 * write transaction, the same lock an add holds while it renames and
 * registers, so gc never sees half an add. Each dead object is renamed from
 * store/ into trash/ and its row deleted; the slow recursive deletion of
 * trash/ happens after the commit. If gc dies before the commit, the rows
 * come back but their directories sit in trash/: `recoverTrash` (run first
 * by gc and verify) renames them back. If it dies after, trash/ is simply
 * emptied by the next gc.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './fs-util.js';
import { parseObjectPath } from './store-path.js';
import { processAlive } from './process.js';
import { rootLive } from './roots.js';
import type { Store } from './store.js';

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
  /** Unregistered entries of store/ and tmp/ from interrupted work: removed by `delete`. */
  readonly leftovers: readonly string[];
}

/** Move back objects that an interrupted gc renamed into trash/ but never unregistered. */
export function recoverTrash(store: Store): string[] {
  const recovered: string[] = [];
  for (const entry of readdirSync(store.layout.trashDir)) {
    const path = entry.replace(/\.gc-[0-9a-z]+$/, '');
    if (path === entry || !store.db.object(path)) continue;
    const target = join(store.layout.storeDir, path);
    if (existsSync(target)) continue;
    renameSync(join(store.layout.trashDir, entry), target);
    recovered.push(path);
  }
  return recovered;
}

/** Temporary directories of tmp/ whose owning process has exited (named `<pid>-<start>-…`). */
export function staleTmp(store: Store): string[] {
  return readdirSync(store.layout.tmpDir).filter((e) => {
    const m = /^(\d+)-(\d+)-/.exec(e);
    return !m || !processAlive(Number(m[1]), Number(m[2]));
  });
}

export function gc(store: Store, options: GcOptions): GcResult {
  const del = options.action === 'delete';
  const { db, layout } = store;
  const now = Date.now();
  const result = db.immediate((): GcResult => {
    recoverTrash(store);
    const expiredRoots: string[] = [];
    const marked = new Set<string>();
    const stack: string[] = [];
    for (const root of db.roots()) {
      if (rootLive(root, now)) stack.push(root.object);
      else {
        expiredRoots.push(root.name);
        if (del) db.deleteRoot(root.name);
      }
    }
    for (const t of db.tempRoots()) {
      if (processAlive(t.pid, t.pidStart)) stack.push(t.object);
      else if (del) db.deleteTempRoot(t);
    }
    const refs = new Map<string, string[]>();
    for (const { referrer, reference } of db.allReferences()) {
      const list = refs.get(referrer) ?? [];
      list.push(reference);
      refs.set(referrer, list);
    }
    while (stack.length) {
      const p = stack.pop()!;
      if (marked.has(p)) continue;
      marked.add(p);
      for (const r of refs.get(p) ?? []) stack.push(r);
    }
    const objects = db.objects();
    const registered = new Set(objects.map((o) => o.path));
    const dead = objects.filter((o) => !marked.has(o.path));
    const leftovers = [
      ...readdirSync(layout.storeDir).filter((e) => !registered.has(e)).map((e) => `store/${e}`),
      ...staleTmp(store).map((e) => `tmp/${e}`),
    ];
    if (del) {
      const suffix = `.gc-${now.toString(36)}`;
      for (const o of dead) {
        const from = join(layout.storeDir, o.path);
        if (existsSync(from)) renameSync(from, join(layout.trashDir, o.path + suffix));
        db.deleteObject(o.path);
      }
      for (const l of leftovers) {
        const [dir, entry] = l.split('/') as [string, string];
        // Unregistered store entries get a name recoverTrash will not take for an object.
        renameSync(join(layout.home, dir, entry), join(layout.trashDir, `${dir}-${entry}.leftover-${now.toString(36)}`));
      }
    }
    return {
      dead: dead.map((o) => o.path), bytesFreed: dead.reduce((s, o) => s + o.narSize, 0),
      live: objects.length - dead.length, expiredRoots, leftovers,
    };
  });
  if (del) for (const e of readdirSync(layout.trashDir)) removeTree(join(layout.trashDir, e));
  return result;
}

