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
 * (or realizes, if the check fails).
 *
 * What is watched per dependency: the path itself (its inode: a write or
 * `chmod` through any hard link), every directory above it up to `/` (a
 * rename or replacement of the path or of any directory on the way), and,
 * for a directory, everything below it (`recursive`). Events on unrelated
 * entries of those directories only cost the next request a check.
 *
 * Known limit: Node does not report an inotify queue overflow (more than
 * `fs.inotify.max_queued_events` unread events); the daemon reads events as
 * they come, so only a burst of that many changes between two turns of its
 * event loop could lose one.
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { answerFromMemo, memoPaths, type MemoKey } from '../engine/memo.js';
import { Protection } from '../engine/protect.js';
import type { Resource } from '../namespace/types.js';
import type { Store } from '../store/store.js';

interface Warm {
  results: readonly Resource[];
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
    if (w && !w.dirty) return w.results;
    if (w) this.drop(key);
    return this.arm(key);
  }

  /** Watch, check and hold the memo under `key` (after a realize recorded it); its results, or undefined. */
  arm(key: MemoKey): readonly Resource[] | undefined {
    this.drop(key);
    const paths = memoPaths(this.store, key);
    if (!paths) return undefined;
    const w: Warm = { results: [], watchers: [], protection: new Protection(this.store), dirty: false };
    const dirty = () => { w.dirty = true; };
    try {
      for (const target of watchTargets(paths)) {
        const watcher = watch(target.path, { recursive: target.recursive, persistent: false }, dirty);
        watcher.on('error', dirty);
        w.watchers.push(watcher);
      }
    } catch {
      close(w);
      return undefined;
    }
    const hit = answerFromMemo(this.store, key, (rs) => w.protection.hold(rs));
    // The row may have been replaced (by another process) between reading its paths and checking it.
    if (!hit || hit.paths.length !== paths.length || hit.paths.some((p, i) => p !== paths[i])) {
      close(w);
      return undefined;
    }
    w.results = hit.results;
    this.memos.set(key, w);
    return w.results;
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

/** Each path, each directory above it up to `/` (once), and each directory dependency recursively. */
function watchTargets(paths: readonly string[]): { path: string; recursive: boolean }[] {
  const out = new Map<string, boolean>();
  for (const p of paths) {
    // A path gone since is not watched itself (the check fails anyway); its directories are.
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st) out.set(p, st.isDirectory() || (out.get(p) ?? false));
    for (let d = dirname(p); ; d = dirname(d)) {
      if (!out.has(d)) out.set(d, false);
      if (d === dirname(d)) break;
    }
  }
  return [...out].map(([path, recursive]) => ({ path, recursive }));
}
