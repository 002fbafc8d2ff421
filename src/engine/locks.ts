/**
 * Per-spelling locks across processes, so that concurrent realizes of one
 * name do the work once: a lock file `locks/<spelling>` created exclusively,
 * holding the owner's pid and start time. A waiter polls; a lock whose owner
 * has exited (crashed) is taken over.
 */
import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, self } from '../store/process.js';
import type { Store } from '../store/store.js';

export interface Lock {
  release(): void;
}

function tryAcquire(path: string, me: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, me);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

function ownerGone(path: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return true;
  }
  const [pid, start] = text.split(' ').map(Number);
  // A lock file still being written (empty) belongs to a live process.
  if (!pid || !start) return false;
  return !processAlive(pid, start);
}

/** Take the lock for `key`; `onWait` is called once if another process holds it. */
export async function acquire(store: Store, key: string, onWait?: () => void, signal?: AbortSignal): Promise<Lock> {
  const dir = join(store.layout.home, 'locks');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, key);
  const id = self();
  const me = `${id.pid} ${id.pidStart}`;
  let waited = false;
  for (;;) {
    if (tryAcquire(path, me)) {
      return { release: () => { try { unlinkSync(path); } catch { /* already taken over */ } } };
    }
    if (ownerGone(path)) {
      try {
        unlinkSync(path);
      } catch {
        // Another waiter took it over first.
      }
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
