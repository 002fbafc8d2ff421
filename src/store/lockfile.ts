/**
 * Lock files across processes, holding the owner's pid and start time. A
 * waiter polls; a lock whose owner has exited (crashed, killed) is taken
 * over, so a crash never wedges anything. Used for the engine's
 * per-spelling locks and the git namespace's repository cache.
 *
 * Crash story. A lock file never exists without its owner in it: the owner
 * is written to a file of its own (`<lock>.new-…`), which is then hard-linked
 * to the lock's name; link(2) fails if the name exists, so creation is
 * atomic and complete at once. A lock file that reads empty or garbled can
 * therefore only be left by a power loss (the link reached the disk, the
 * unflushed contents did not) or an older nomia: its owner is gone, and it
 * is stale like one whose process has exited.
 *
 * Taking over cannot race. Only a stale lock is ever removed by someone
 * other than its owner, and only while holding the directory's takeover
 * lock, an OS-level lock (SQLite's, on `.takeover.sqlite` beside the lock
 * files) that the kernel releases when its holder dies. Under it the lock
 * file is read again and removed only if it still names the same dead
 * owner; nothing else can replace a stale lock meanwhile (its owner is dead
 * and every other remover waits for the takeover lock), so a live owner's
 * lock is never removed.
 */
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { link, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { inBackground } from './background.js';
import { ioError } from './layout.js';
import { processAlive, self } from './process.js';

export interface FileLock {
  release(): void;
}

const unique = () => Math.random().toString(36).slice(2, 10);

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Create the lock at `path` holding `me`, complete or not at all; false if it exists. Off the main thread:
 * on a busy disk each of these calls waits for the file system's journal.
 */
async function tryCreate(path: string, me: string): Promise<boolean> {
  const fresh = `${path}.new-${me.replace(' ', '-')}-${unique()}`;
  try {
    await writeFile(fresh, me);
  } catch (e) {
    throw ioError(e, fresh, 'create a lock file');
  }
  try {
    await link(fresh, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, path, 'create a lock file');
    return false;
  } finally {
    await unlink(fresh).catch(() => undefined);
  }
}

/** Lock files this process released whose unlinking is under way: taking one again waits for it. */
const releasing = new Map<string, Promise<void>>();

/** The owner written in a lock file, or undefined if there is no file. */
function readOwner(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** An owner that has exited, or a file no live owner can have written (empty, garbled). */
function stale(owner: string): boolean {
  const m = /^(\d+) (\d+)$/.exec(owner);
  return !m || !processAlive(Number(m[1]), Number(m[2]));
}

/** Run `f` holding the takeover lock of the lock files in `dir` (see the crash story). */
function underTakeoverLock<T>(dir: string, f: () => T): T {
  const db = new Database(join(dir, '.takeover.sqlite'), { timeout: 60_000 });
  try {
    db.exec('BEGIN EXCLUSIVE');
    try {
      return f();
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

/** Remove the lock file at `path` if it still holds the stale owner `owner`. */
function takeOver(path: string, owner: string): void {
  underTakeoverLock(dirname(path), () => {
    if (readOwner(path) === owner) unlinkQuietly(path);
  });
}

/** Take the lock at `path`; `onWait` is called once if someone else holds it. */
export async function lockFile(path: string, onWait?: () => void, signal?: AbortSignal): Promise<FileLock> {
  const id = self();
  const me = `${id.pid} ${id.pidStart}`;
  let waited = false;
  for (;;) {
    await releasing.get(path);
    if (await tryCreate(path, me)) {
      let held = true;
      return {
        release: () => {
          if (!held) return;
          held = false;
          // Unlinked in the background (background.ts): until then the file still names this live
          // process, so no other takes it over, and this process's next take of it waits above.
          const gone = inBackground(() => unlink(path).catch(() => undefined)).finally(() => {
            if (releasing.get(path) === gone) releasing.delete(path);
          });
          releasing.set(path, gone);
        },
      };
    }
    const owner = readOwner(path);
    if (owner === undefined) continue;
    if (stale(owner)) {
      takeOver(path, owner);
      continue;
    }
    if (!waited) {
      waited = true;
      onWait?.();
    }
    signal?.throwIfAborted();
    await sleep(25);
  }
}

/**
 * Remove the lock files in `dir` that no live process holds, and the
 * half-made ones of processes that died while creating a lock. Returns the
 * names removed. Safe alongside processes taking and releasing locks.
 */
export function sweepLocks(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (name.startsWith('.takeover.sqlite')) continue;
    const path = join(dir, name);
    const half = /\.new-(\d+)-(\d+)-[0-9a-z]+$/.exec(name);
    if (half) {
      if (!processAlive(Number(half[1]), Number(half[2]))) {
        unlinkQuietly(path);
        removed.push(name);
      }
      continue;
    }
    const owner = readOwner(path);
    if (owner !== undefined && stale(owner)) {
      takeOver(path, owner);
      removed.push(basename(path));
    }
  }
  return removed;
}
