/**
 * Register a finished tree from tmp/ as a store object: the last step of
 * add and import.
 *
 * Crash story. Before this the tree is complete in tmp/ and (unless fsync is
 * off) flushed to disk. Inside SQLite's write lock we rename it to
 * store/<hash>-<name>, fsync store/, insert the row and commit. A crash
 * before the rename leaves only tmp/ garbage; between the rename and the
 * commit, an unregistered directory in store/ that gc removes and verify
 * --repair registers (its content matches its path); after the commit, a
 * complete object. A concurrent add of the same object waits for the lock,
 * then finds the row and drops its own copy.
 *
 * `commitObjectSoon` splits this in two transactions, with the fsync of
 * store/ between them off the main thread: the same order on disk (tree,
 * rename, row). Between the two, the unregistered entry is held by the
 * committing process's temporary root: gc and verify leave an entry a live
 * process holds alone, and a concurrent commit of the same object adopts it
 * (it is complete and flushed: only finished trees are moved in) rather
 * than discarding it as a leftover.
 */
import { lstatSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import type { ObjectRow } from './database.js';
import { deferringCleanUps, removeInBackground } from './background.js';
import { fsyncDir, identity, moveEntry } from './fs-util.js';
import type { ContentHash } from './hash.js';
import { ioError } from './layout.js';
import { processAlive, self } from './process.js';
import { checkRootName } from './roots.js';
import { objectPath } from './store-path.js';
import { flushDirectory } from './sync-tree.js';
import { pinnedAfterCommit, pinTempRoot } from './temp-roots.js';
import { discard } from './trash.js';
import type { Store } from './store.js';

export interface CommitRequest {
  /** The finished tree under tmp/. It is moved, or left for the caller to delete if the object already exists. */
  readonly tree: string;
  readonly hash: ContentHash;
  readonly narSize: number;
  readonly name: string;
  /** Object paths this object refers to; they must be registered. */
  readonly references?: readonly string[];
  /** Also create an absolute root with this name. */
  readonly root?: string;
}

export interface CommitResult {
  readonly object: ObjectRow;
  /** False when the object was already in the store. */
  readonly added: boolean;
}

export function commitObject(store: Store, req: CommitRequest): CommitResult {
  const c = commitSteps(store, req);
  try {
    const result = store.db.immediate((): CommitResult => {
      const p = c.place();
      if (p.found) return p.found;
      if (store.fsync) fsyncDir(store.layout.storeDir);
      // In the transaction that placed it: nothing can have moved it since.
      return c.register(p, false);
    });
    pinnedAfterCommit(store, c.path);
    return result;
  } catch (e) {
    return c.undo(e);
  }
}

/**
 * `commitObject` without the main thread waiting for the disk: the rename
 * into store/ and the row are two transactions, and the fsync of store/
 * between them runs on the thread pool. Between the two the tree is an
 * unregistered entry of store/ that this process holds with a temporary
 * root, so gc and verify leave it alone and a concurrent commit of the same
 * object adopts it instead of discarding it. The crash story is
 * `commitObject`'s: a crash between the two leaves an unregistered entry
 * (its owner dead, gc removes it); the row is written only once the rename
 * is on disk.
 */
export async function commitObjectSoon(store: Store, req: CommitRequest): Promise<CommitResult> {
  if (!store.fsync) return commitObject(store, req);
  const c = commitSteps(store, req);
  try {
    // Not flushed: it writes only a temporary root (and a root, which must be, when the object is found).
    const p = store.db.immediate(() => c.place(), req.root === undefined ? { flush: false } : {});
    if (!p.found) await flushDirectory(store.layout.storeDir);
    const result = p.found ?? store.db.immediate(() => c.register(p));
    pinnedAfterCommit(store, c.path);
    return result;
  } catch (e) {
    return c.undo(e);
  }
}

/** Where a commit stands once its tree is in store/: the row is what is left (unless `found`). */
interface Placed {
  /** The object was registered and there: it is held, and nothing is left to do. */
  readonly found?: CommitResult;
  /** The identity of the tree now at the object's path, which the row will stand for. */
  readonly placed?: string;
}

/**
 * The steps of a commit, each to run inside the write lock, and the undoing of a failed one. Exported for
 * `commitObjects` (commit-group.ts), which places many trees before it registers them: it checks each
 * one's references at its registration only (`place(false)`), since a reference may be an object placed
 * earlier in the same group, and registers in the transaction that placed (`register(p, false)`: nothing
 * can have moved the tree in between).
 */
export function commitSteps(store: Store, req: CommitRequest) {
  const { db, layout } = store;
  if (req.root !== undefined) checkRootName(req.root);
  const path = objectPath(req.hash, req.name);
  const target = join(layout.storeDir, path);
  // Set once our tree is in store/: if a transaction then fails, even at its COMMIT (a full disk
  // cannot write the WAL), the row is rolled back and the tree must leave store/ again.
  let renamed = false;
  const ours = identity(req.tree);
  return {
    path,
    /** Find the object, or move our tree to its path (held by a temporary root of this process). */
    place(checkRefs = true): Placed {
      if (checkRefs) checkReferences(store, req.references);
      const row = db.object(path);
      const there = identity(target);
      if (row && there) {
        hold(store, path, req.root);
        return { found: { object: row, added: false } };
      }
      if (!row && there) {
        // A complete tree another commit of this object has placed and not yet registered (it flushed
        // the tree before moving it): ours is not needed. Anything else unregistered there is a leftover.
        if (inFlight(store, path)) return { placed: there };
        discard(store, target, `store-${path}`);
      }
      // No row: a new object. A row without its directory (lost by a power loss with fsync off, or
      // removed by hand): our fresh, verified copy heals it.
      moveEntry(req.tree, target);
      renamed = true;
      pinTempRoot(store, path);
      return { placed: ours };
    },
    /** Register what `place` put there, once its rename is on disk. */
    register(p: Placed, recheck = true): CommitResult {
      checkReferences(store, req.references);
      if (recheck && identity(target) !== p.placed) {
        throw new NomiaStoreError('store/io', `the new object ${target} was moved or removed before it was registered`, { path: target, hint: 'run the command again' });
      }
      let object = db.object(path);
      let added = false;
      if (!object) {
        object = { path, hash: req.hash, name: req.name, narSize: req.narSize, addedAt: Date.now() };
        db.insertObject(object, req.references ?? []);
        added = true;
      }
      hold(store, path, req.root);
      return { object, added };
    },
    undo(e: unknown): never {
      // The lock was released with the rollback: take it again, so that a concurrent add that has
      // registered the same object meanwhile is never moved out, and move back only our own tree.
      if (renamed) {
        try {
          db.immediate(() => {
            if (!db.object(path) && identity(target) === ours) moveEntry(target, req.tree);
          });
        } catch {
          // Then it stays as an unregistered leftover, which gc removes.
        }
      }
      if (e instanceof NomiaStoreError) throw e;
      throw ioError(e, target, 'move the new object into the store');
    },
  };
}

/** Whether a live process holds `path` with a temporary root: an unregistered entry there is a commit in flight. */
function inFlight(store: Store, path: string): boolean {
  return store.db.tempRootsOn(path).some((t) => processAlive(t.pid, t.pidStart));
}

function checkReferences(store: Store, references: readonly string[] | undefined): void {
  for (const r of references ?? []) {
    if (!store.db.object(r)) {
      throw new NomiaStoreError('store/not-found', `the reference ${r} is not a registered object`, { hint: 'add the referenced object first' });
    }
  }
}

/** Until this process exits, gc keeps what it just added or found; and the root, if asked for. Inside the write lock. */
function hold(store: Store, path: string, root: string | undefined): void {
  pinTempRoot(store, path);
  if (root !== undefined) store.db.putRoot({ name: root, object: path, kind: 'absolute', createdAt: Date.now() });
}

/**
 * The object `hash`/`name` if it is in the store (registered, its directory
 * present), held as `commitObject` holds what it adds; undefined otherwise.
 * For a caller that knows the hash without having read anything.
 */
export function holdExisting(store: Store, req: Omit<CommitRequest, 'tree' | 'narSize'>): CommitResult | undefined {
  if (req.root !== undefined) checkRootName(req.root);
  const path = objectPath(req.hash, req.name);
  // Unflushed unless a root is made: a temporary root needs no disk, it dies with this process anyway.
  const held = store.db.immediate((): CommitResult | undefined => {
    const object = store.db.object(path);
    // lstat, not existsSync: a symlink object may point nowhere and still be there.
    if (!object || !lstatSync(join(store.layout.storeDir, path), { throwIfNoEntry: false })) return undefined;
    checkReferences(store, req.references);
    hold(store, path, req.root);
    return { object, added: false };
  }, { flush: req.root !== undefined });
  if (held) pinnedAfterCommit(store, path);
  return held;
}

/**
 * A fresh name under tmp/ for this process's work, named so that gc, verify and the next open can tell
 * when its owner has exited (`staleTmp`, gc.ts). Nothing is made there.
 */
export function tmpName(store: Store): string {
  const me = self();
  return join(store.layout.tmpDir, `${me.pid}-${me.pidStart}-${Math.random().toString(36).slice(2, 10)}`);
}

/**
 * Run `f` with a fresh work directory under tmp/ (named so gc can tell when
 * its owner has exited), and remove it afterwards, whatever happens; `f`
 * builds the tree at `tree` inside it. Inside a realize the removal may
 * still be under way when this returns; the realize waits for it.
 */
export async function withWorkDir<T>(store: Store, f: (work: string, tree: string) => Promise<T>): Promise<T> {
  const work = tmpName(store);
  try {
    // Off the main thread, like its removal: on a busy disk a metadata call waits for the journal.
    await mkdir(work);
  } catch (e) {
    throw ioError(e, store.layout.tmpDir, 'create a work directory in the store');
  }
  try {
    return await f(work, join(work, 'object'));
  } finally {
    // Off the main thread; inside a realize, not waited for until it ends (background.ts). A work
    // directory that cannot be removed is a leftover for gc, not a reason to fail.
    const removal = removeInBackground(work);
    if (!deferringCleanUps()) await removal;
  }
}
