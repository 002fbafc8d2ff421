/**
 * Lock files across processes: created exclusively, holding the owner's pid
 * and start time. A waiter polls; a lock whose owner has exited (crashed,
 * killed) is taken over, so a crash never wedges anything. Used for the
 * engine's per-spelling locks and the git namespace's repository cache.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, self } from './process.js';

export interface FileLock {
  release(): void;
}

function tryCreate(path: string, me: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, me);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

/** The owner written in a lock file, or undefined if there is no file. */
function readOwner(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function dead(owner: string): boolean {
  const [pid, start] = owner.split(' ').map(Number);
  // An empty file is a lock being written by a live process.
  if (!pid || !start) return false;
  return !processAlive(pid, start);
}

/**
 * Remove a lock file whose owner `stale` has exited. It is first renamed to
 * a name of our own, so two waiters cannot both remove it; if what we moved
 * turns out to be a live owner's fresh lock (it was replaced meanwhile), it
 * is linked back.
 */
function takeOver(path: string, stale: string, me: string): void {
  const aside = `${path}.stale-${me.replace(' ', '-')}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (readOwner(aside) !== stale) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone created a new lock meanwhile; the one we moved is lost to its owner, who only unlinks it later.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already gone.
  }
}

/** Take the lock at `path`; `onWait` is called once if someone else holds it. */
export async function lockFile(path: string, onWait?: () => void, signal?: AbortSignal): Promise<FileLock> {
  const id = self();
  const me = `${id.pid} ${id.pidStart}`;
  let waited = false;
  for (;;) {
    if (tryCreate(path, me)) {
      let held = true;
      return {
        release: () => {
          if (!held) return;
          held = false;
          try {
            unlinkSync(path);
          } catch {
            // Taken over already: nothing to release.
          }
        },
      };
    }
    const owner = readOwner(path);
    if (owner === undefined) continue;
    if (dead(owner)) {
      takeOver(path, owner, me);
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
