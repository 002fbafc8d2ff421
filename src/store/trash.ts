/**
 * trash/: where objects go on their way out of the store.
 *
 * Crash story. An object leaves inside a write transaction: its directory is
 * renamed to `trash/<entry>.pending-<id>` and its row deleted. Until that
 * transaction commits, the move may still be undone (by a rollback or a
 * crash), so a pending entry is never deleted by anyone. Under the lock,
 * `settleTrash` resolves pending entries left by transactions that are over:
 * if the row is back (the transaction never committed) and the store path is
 * free, the directory goes back; otherwise it is committed garbage and
 * becomes `<…>.deleting-<id>`. After its own commit a transaction marks its
 * entries the same way. Only `.deleting-` entries are ever deleted, by
 * anyone, at any time, so no process can delete what another has not
 * committed, and a half-deleted tree is never brought back.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { moveEntry, removeTree } from './fs-util.js';
import type { Store } from './store.js';

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function renameIfThere(from: string, to: string): boolean {
  try {
    moveEntry(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Inside a transaction: move `store/<entry>` out, restorably. Returns the trash name, or undefined if it was not there. */
export function moveToTrash(store: Store, entry: string): string | undefined {
  const name = `${entry}.pending-${unique()}`;
  return renameIfThere(join(store.layout.storeDir, entry), join(store.layout.trashDir, name)) ? name : undefined;
}

/** Move something that is not a registered object (a leftover) straight to deletion. */
export function discard(store: Store, path: string, label: string): void {
  renameIfThere(path, join(store.layout.trashDir, `${label}.deleting-${unique()}`));
}

/** After the transaction that moved them committed: make them deletable. */
export function commitTrash(store: Store, names: readonly string[]): void {
  for (const n of names) {
    renameIfThere(join(store.layout.trashDir, n), join(store.layout.trashDir, n.replace(/\.pending-/, '.deleting-')));
  }
}

/** Under the lock: resolve pending entries of transactions that are over. Returns the objects restored. */
export function settleTrash(store: Store): string[] {
  const restored: string[] = [];
  for (const name of readdirSync(store.layout.trashDir)) {
    const m = /^(.*)\.pending-[0-9a-z]+$/.exec(name);
    if (!m) continue;
    const entry = m[1]!;
    const from = join(store.layout.trashDir, name);
    const target = join(store.layout.storeDir, entry);
    if (store.db.object(entry) && !existsSync(target)) {
      moveEntry(from, target);
      restored.push(entry);
    } else {
      renameIfThere(from, join(store.layout.trashDir, name.replace(/\.pending-/, '.deleting-')));
    }
  }
  return restored;
}

/**
 * Delete committed garbage. Safe without the lock and alongside other
 * processes doing the same. An entry this process may not delete (another
 * user's, in a store shared by a group) is left for its owner or root.
 */
export function emptyTrash(store: Store): void {
  for (const name of readdirSync(store.layout.trashDir)) {
    if (!name.includes('.deleting-')) continue;
    try {
      removeTree(join(store.layout.trashDir, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw e;
    }
  }
}

/** Entries of trash/ that are waiting to be deleted (for verify's report). */
export function trashEntries(store: Store): string[] {
  return readdirSync(store.layout.trashDir);
}
