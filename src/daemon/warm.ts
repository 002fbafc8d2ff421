/**
 * The daemon's warm memos (docs/engine.md, "A warm engine"): a memo of
 * whole names (engine/memo.ts) kept in memory with a watch on everything it
 * depends on, so that a no-op is answered without a single `lstat`.
 *
 * Arming a memo: first the watches (inotify through `fs.watch`), then the
 * memo's own check (one `lstat` per dependency, against the stats recorded
 * before the files were read), then a hold on its results (a temporary root
 * of the daemon, so gc leaves them while they are warm). A change after the
 * watches were set is an event; one before, a failed check. Any event, or an
 * error of a watcher, marks the memo dirty: the next request arms it again
 * (or realizes, if the check fails). Each answer also reads the memo's
 * results back from the store (one row, without its dependencies): a memo
 * forgotten there (a reduction replaced or removed, by any process) or
 * recorded anew is not answered from memory.
 *
 * What is watched per dependency: the path itself (its inode: a write or
 * `chmod` through any hard link), every directory above it up to `/` for
 * events on the entry on the way (a rename or replacement of the path or of
 * any directory on the way; events on other entries are ignored), and, for
 * a directory, everything below it (`recursive`).
 *
 * Known limit: Node does not report an inotify queue overflow (more than
 * `fs.inotify.max_queued_events` unread events); the daemon reads events as
 * they come, so only a burst of that many changes between two turns of its
 * event loop could lose one.
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { answerFromMemo, memoCurrent, memoPaths, type MemoHit, type MemoKey } from '../engine/memo.js';
import { Protection } from '../engine/protect.js';
import type { Resource } from '../namespace/types.js';
import type { Store } from '../store/store.js';

interface Warm {
  hit: MemoHit | undefined;
  readonly watchers: FSWatcher[];
  readonly protection: Protection;
  dirty: boolean;
}

export class WarmMemos {
  private readonly memos = new Map<MemoKey, Warm>();

  constructor(private readonly store: Store) {}

  /** The results memoized under `key` if they are still the answer (armed now if need be); undefined: realize. */
  answer(key: MemoKey): readonly Resource[] | undefined {
    const w = this.memos.get(key);
    // Still the store's memo: a reduction replaced by any process forgets it there (memo.ts).
    // A watch sees no change of the clock: a memo that holds only until some time is checked against it.
    if (w?.hit && !w.dirty && (w.hit.until === undefined || Date.now() < w.hit.until) && memoCurrent(this.store, key, w.hit)) return w.hit.results;
    if (w) this.drop(key);
    return this.arm(key);
  }

  /** Watch, check and hold the memo under `key` (after a realize recorded it); its results, or undefined. */
  arm(key: MemoKey): readonly Resource[] | undefined {
    this.drop(key);
    const paths = memoPaths(this.store, key);
    if (!paths) return undefined;
    const w: Warm = { hit: undefined, watchers: [], protection: new Protection(this.store), dirty: false };
    const dirty = () => { w.dirty = true; };
    try {
      for (const target of watchTargets(paths)) {
        // A directory above a dependency: only its entry on the way matters (an unknown name counts).
        const onEvent = target.names ? (_: string, name: string | null) => { if (name === null || target.names!.has(name)) dirty(); } : dirty;
        const watcher = watch(target.path, { recursive: target.recursive, persistent: false }, onEvent);
        watcher.on('error', dirty);
        w.watchers.push(watcher);
      }
    } catch {
      close(w);
      return undefined;
    }
    const { hit } = answerFromMemo(this.store, key, (rs) => w.protection.hold(rs));
    // The row may have been replaced (by another process) between reading its paths and checking it.
    if (!hit || hit.paths.length !== paths.length || hit.paths.some((p, i) => p !== paths[i])) {
      close(w);
      return undefined;
    }
    w.hit = hit;
    this.memos.set(key, w);
    return hit.results;
  }

  private drop(key: MemoKey): void {
    const w = this.memos.get(key);
    if (w) close(w);
    this.memos.delete(key);
  }

  /** Close every watch and release every hold. */
  close(): void {
    for (const key of [...this.memos.keys()]) this.drop(key);
  }
}

function close(w: Warm): void {
  for (const watcher of w.watchers) watcher.close();
  w.protection.release();
}

/** A path to watch: recursively (a directory dependency), or for some of its entries only (a directory above one). */
interface Target {
  readonly path: string;
  readonly recursive: boolean;
  /** The entries whose events matter; undefined: every event. */
  readonly names: Set<string> | undefined;
}

/** Each path (a directory recursively), and each directory above it up to `/` for the entry on the way. */
function watchTargets(paths: readonly string[]): Target[] {
  const own = new Map<string, boolean>();
  const above = new Map<string, Set<string>>();
  for (const p of paths) {
    // A path gone since is not watched itself (the check fails anyway); its directories are.
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st) own.set(p, st.isDirectory() || (own.get(p) ?? false));
    for (let child = p, d = dirname(p); child !== d; child = d, d = dirname(d)) {
      const names = above.get(d) ?? new Set<string>();
      names.add(basename(child));
      above.set(d, names);
    }
  }
  const targets: Target[] = [...above].filter(([d]) => !own.has(d)).map(([path, names]) => ({ path, recursive: false, names }));
  for (const [path, recursive] of own) targets.push({ path, recursive, names: undefined });
  return targets;
}
