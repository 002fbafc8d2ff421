/**
 * Temporary roots of this process (docs/store.md, "Roots and garbage
 * collection"): a row `(object, pid, start time)` that gc treats as a root
 * while this process runs. Several holders in one process (a realize, a
 * handle, another realize in a daemon) may hold the same object; they share
 * the row, counted here, and the last to let go removes it. A row put there
 * for the whole life of the process (`pinTempRoot`, what a commit does) is
 * never removed by a holder.
 *
 * No window. `holdTempRoot` registers the row and checks that the object is
 * still registered in one write transaction, the lock gc marks and sweeps
 * under. So either gc ran first (the object is gone and the hold says so),
 * or gc runs later and sees the root. Whatever the object refers to is kept
 * with it: gc marks through references.
 */
import { self } from './process.js';
import type { Store } from './store.js';

interface Held {
  count: number;
  /** The row was there before (a pin, or another process state we must not undo): never removed by a release. */
  pinned: boolean;
}

/** Holds per store home, then per object path. */
const holds = new Map<string, Map<string, Held>>();

/** Per store home, the objects whose `pinTempRoot` row has been committed (`pinnedAfterCommit`). */
const pinnedForLife = new Map<string, Set<string>>();

function heldIn(store: Store): Map<string, Held> {
  let m = holds.get(store.layout.home);
  if (!m) holds.set(store.layout.home, (m = new Map()));
  return m;
}

/**
 * Hold `object` (an entry of store/) through a temporary root until
 * `releaseTempRoot`. Returns false, holding nothing, if it is not (or no
 * longer) a registered object.
 */
export function holdTempRoot(store: Store, object: string): boolean {
  const m = heldIn(store);
  const held = m.get(object);
  if (held) {
    held.count++;
    return true;
  }
  // Pinned for this process's life by a commit: the row is there and nothing removes it while we run
  // (gc and repair keep what a live process roots), so the hold needs no transaction of its own.
  if (pinnedForLife.get(store.layout.home)?.has(object)) {
    m.set(object, { count: 1, pinned: true });
    return true;
  }
  const me = self();
  const row = { object, pid: me.pid, pidStart: me.pidStart };
  const pinned = store.db.volatile((): boolean | undefined => {
    if (!store.db.object(object)) return undefined;
    const before = store.db.hasTempRoot(row);
    if (!before) store.db.addTempRoot(row);
    return before;
  });
  if (pinned === undefined) return false;
  m.set(object, { count: 1, pinned });
  return true;
}

/**
 * `holdTempRoot` for each of `objects` in order, in one write transaction for all that need one (a front-end
 * holding the hundreds of results of a realize it places took one transaction each). Stops at the first
 * that is not registered; returns how many of `objects` were held, from the first: all of them, or those
 * before that one (held until released, as `holdTempRoot`'s are).
 */
export function holdTempRoots(store: Store, objects: readonly string[]): number {
  const m = heldIn(store);
  const pins = pinnedForLife.get(store.layout.home);
  const fresh = [...new Set(objects.filter((o) => !m.has(o) && !pins?.has(o)))];
  // Whether each fresh object's row was there before (then never removed by a release).
  const rowBefore = new Map<string, boolean>();
  let missing: string | undefined;
  if (fresh.length) {
    const me = self();
    store.db.volatile(() => {
      for (const object of fresh) {
        if (!store.db.object(object)) {
          missing = object;
          return;
        }
        const row = { object, pid: me.pid, pidStart: me.pidStart };
        const before = store.db.hasTempRoot(row);
        if (!before) store.db.addTempRoot(row);
        rowBefore.set(object, before);
      }
    });
  }
  for (const [i, object] of objects.entries()) {
    if (object === missing) return i;
    const held = m.get(object);
    if (held) held.count++;
    else m.set(object, { count: 1, pinned: pins?.has(object) === true || rowBefore.get(object) === true });
  }
  return objects.length;
}

interface Asked {
  readonly object: string;
  readonly answer: (held: boolean) => void;
}

/** Per store home, the holds asked for in this turn of the event loop (`holdTempRootSoon`). */
const asked = new Map<string, { store: Store; list: Asked[] }>();

/**
 * `holdTempRoot`, taken together with every other hold asked for in the
 * same turn of the event loop: one write transaction for all of them
 * (thousands of lookups of one realize ask at once), with the same check
 * that each object is still registered. Resolves false, holding nothing, for
 * an object that is not.
 */
export function holdTempRootSoon(store: Store, object: string): Promise<boolean> {
  const m = heldIn(store);
  const held = m.get(object);
  if (held || pinnedForLife.get(store.layout.home)?.has(object)) return Promise.resolve(holdTempRoot(store, object));
  return new Promise((answer) => {
    const home = store.layout.home;
    let batch = asked.get(home);
    if (!batch) {
      asked.set(home, (batch = { store, list: [] }));
      setImmediate(() => takeAsked(home));
    }
    batch.list.push({ object, answer });
  });
}

function takeAsked(home: string): void {
  const batch = asked.get(home)!;
  asked.delete(home);
  const { store, list } = batch;
  const m = heldIn(store);
  const me = self();
  const fresh = [...new Set(list.map((a) => a.object))].filter((o) => !m.has(o));
  let found: Map<string, boolean>;
  try {
    found = store.db.volatile(() => {
      const out = new Map<string, boolean>();
      for (const object of fresh) {
        if (!store.db.object(object)) continue;
        const row = { object, pid: me.pid, pidStart: me.pidStart };
        const before = store.db.hasTempRoot(row);
        if (!before) store.db.addTempRoot(row);
        out.set(object, before);
      }
      return out;
    });
  } catch {
    // The transaction failed (a database error): nothing was held; each asker sees a miss.
    for (const a of list) a.answer(false);
    return;
  }
  for (const [object, pinned] of found) m.set(object, { count: 0, pinned });
  for (const a of list) {
    const held = m.get(a.object);
    if (held) held.count++;
    a.answer(held !== undefined);
  }
}

/** Let go of one hold on each of `objects` taken by `holdTempRoot`; a row goes with its last hold, unless it is pinned. */
export function releaseTempRoots(store: Store, objects: readonly string[]): void {
  const m = heldIn(store);
  const gone: string[] = [];
  for (const object of objects) {
    const held = m.get(object);
    if (!held || --held.count > 0) continue;
    m.delete(object);
    if (!held.pinned) gone.push(object);
  }
  if (gone.length === 0) return;
  const me = self();
  store.db.volatile(() => {
    for (const object of gone) store.db.deleteTempRoot({ object, pid: me.pid, pidStart: me.pidStart });
  });
}

/**
 * Keep `object` for as long as this process runs (what it just added or
 * found). Call inside a write transaction that has registered the object.
 */
export function pinTempRoot(store: Store, object: string): void {
  const me = self();
  store.db.addTempRoot({ object, pid: me.pid, pidStart: me.pidStart });
  const held = heldIn(store).get(object);
  if (held) held.pinned = true;
}

/**
 * Note that the transaction which called `pinTempRoot(store, object)` has committed: until this process
 * exits the object is rooted, and `holdTempRoot` answers for it from memory. Not before the commit: a
 * rolled-back pin roots nothing.
 */
export function pinnedAfterCommit(store: Store, object: string): void {
  let set = pinnedForLife.get(store.layout.home);
  if (!set) pinnedForLife.set(store.layout.home, (set = new Set()));
  set.add(object);
}

/**
 * Drop every temporary root of this process in `store`, pins included, and what this process knows of
 * them: afterwards only holds taken anew keep anything (a long-lived process letting go of what it added;
 * tests).
 */
export function dropTempRoots(store: Store): void {
  const me = self();
  store.db.volatile(() => store.db.removeTempRoots(me.pid, me.pidStart));
  pinnedForLife.delete(store.layout.home);
  holds.delete(store.layout.home);
}
