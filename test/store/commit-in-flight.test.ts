/**
 * An add with fsync on registers its object in two transactions, its tree
 * moved into store/ by the first and registered by the second once the move
 * is on disk (commit.ts, `commitObjectSoon`). In between, the unregistered
 * entry is held by a temporary root of the adding process: gc and verify
 * --repair leave it alone, and another add of the same object adopts it.
 * Set up here by hand: an entry placed in store/ and held by this (live)
 * process, as the first transaction leaves it.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addPath } from '../../src/store/add.js';
import { identity } from '../../src/store/fs-util.js';
import { gc } from '../../src/store/gc.js';
import { self } from '../../src/store/process.js';
import { openStore, type Store } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { tempDir } from '../support/cli.js';

/** A store holding, unregistered and held by this process, the object `file` would be added as. */
async function inFlight(dir: string, file: string): Promise<{ store: Store; entry: string; target: string }> {
  // Its path, from an add to another store.
  const other = openStore({ dir: join(dir, 'other'), fsync: false });
  const entry = (await addPath(other, file)).object.path;
  other.close();
  const store = openStore({ dir: join(dir, 'store'), fsync: true });
  const target = join(store.layout.storeDir, entry);
  copyFileSync(file, target);
  chmodSync(target, 0o444);
  utimesSync(target, 1, 1);
  const me = self();
  store.db.volatile(() => store.db.addTempRoot({ object: entry, pid: me.pid, pidStart: me.pidStart }));
  return { store, entry, target };
}

test('gc and verify --repair leave an entry in flight alone; an add of the same object adopts it', async () => {
  const dir = tempDir('in-flight');
  const file = join(dir, 'f');
  writeFileSync(file, 'in flight\n');
  const { store, entry, target } = await inFlight(dir, file);
  try {
    const placed = identity(target);
    const swept = gc(store, { action: 'delete' });
    assert.deepEqual(swept.leftovers, [], 'gc took the entry for a leftover');
    assert.equal(identity(target), placed, 'gc removed the entry');
    await verify(store, { repair: true });
    assert.equal(store.db.object(entry), undefined, 'verify registered an entry another commit is registering');
    assert.equal(identity(target), placed, 'verify removed the entry');
    const { object, added } = await addPath(store, file);
    assert.equal(object.path, entry);
    assert.equal(added, true);
    assert.equal(identity(target), placed, 'the add replaced the tree in flight instead of adopting it');
    assert.ok((await verify(store)).consistent);
  } finally {
    store.close();
  }
});
