/**
 * Clean-ups that need not hold up whoever asked for them: removing a work
 * directory once its result is registered (or its work failed), unlinking a
 * released lock file. Each is a few blocking file-system calls, and on a
 * busy disk a metadata call waits for the journal (milliseconds each); on
 * the main thread that kept the second job slot of a realize from starting
 * its next command (docs/store.md, "What a realize leaves for later").
 *
 * So they run on libuv's thread pool (`fs.promises`), and inside a realize
 * (`deferCleanUps`) nobody waits for them until the realize ends, which
 * waits for all of them: a finished realize, failed or not, has left no work
 * directory and no lock file. Outside a realize the caller awaits its own.
 *
 * Crash story: a clean-up is never needed for consistency. A process killed
 * before one ran leaves a work directory named for a dead process and a lock
 * file naming a dead owner; gc removes both, and a stale lock is taken over
 * (lockfile.ts).
 */
import { rm, rmdir } from 'node:fs/promises';
import { removeTree } from './fs-util.js';

const pending = new Set<Promise<void>>();
let deferring = 0;

/** Track `task` until it ends; it never rejects (a clean-up that fails leaves garbage for gc, not an error). */
function track(task: Promise<void>): Promise<void> {
  const quiet = task.catch(() => undefined).finally(() => pending.delete(quiet));
  pending.add(quiet);
  return quiet;
}

/** Run a clean-up in the background; resolves when it is done (never rejects). */
export function inBackground(task: () => Promise<void>): Promise<void> {
  return track(task());
}

/**
 * Remove the tree at `path` off the main thread. Node's `rm` cannot enter a read-only directory of
 * another user's making, nor a path deeper than a system call takes: those are removed by
 * `removeTree` (fs-util.ts), which can.
 */
export function removeInBackground(path: string): Promise<void> {
  // An empty directory first (a work directory whose tree was committed, the common case): one call on
  // the pool where `rm` makes three (two lstats and the rmdir), each a wake-up of a pool thread.
  return inBackground(() => rmdir(path).catch(() => rm(path, { recursive: true, force: true })).catch(() => removeTree(path)));
}

/** Whether clean-ups are being deferred (a realize is running in this process). */
export function deferringCleanUps(): boolean {
  return deferring > 0;
}

/**
 * Defer clean-ups until the returned function is called; that function resolves once every clean-up
 * started so far (by anyone in this process) has ended. Nests and overlaps (a daemon's realizes).
 */
export function deferCleanUps(): () => Promise<void> {
  deferring++;
  let ended = false;
  return async () => {
    if (!ended) {
      ended = true;
      deferring--;
    }
    await cleanedUp();
  };
}

/** Resolves once every clean-up started so far, and any they started, has ended. */
export async function cleanedUp(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
