/**
 * Per-spelling locks across processes, so that concurrent realizes of one
 * name do the work once: the lock file `locks/<spelling>` (src/store/lockfile.ts),
 * taken over when its owner has exited.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockFile, type FileLock } from '../store/lockfile.js';
import type { Store } from '../store/store.js';

export type Lock = FileLock;

/** Take the lock for `key`; `onWait` is called once if another process holds it. */
export async function acquire(store: Store, key: string, onWait?: () => void, signal?: AbortSignal): Promise<Lock> {
  const dir = join(store.layout.home, 'locks');
  mkdirSync(dir, { recursive: true });
  return lockFile(join(dir, key), onWait, signal);
}
