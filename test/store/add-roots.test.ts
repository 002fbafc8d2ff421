/**
 * Several named roots in one transaction (the supervisor roots a chain of
 * services so): all of them or none, and their removal in one too.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addPath } from '../../src/store/add.js';
import { addRoots, removeRoots } from '../../src/store/roots.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

describe('addRoots', () => {
  test('adds every root in one transaction, or none when one of them names no object', async () => {
    const dir = tempDir('add-roots');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    try {
      writeFileSync(join(dir, 'x'), 'x\n');
      const { object } = await addPath(store, join(dir, 'x'));
      assert.throws(() => addRoots(store, [
        { name: 'a', object: object.path, kind: 'process', pid: process.pid },
        { name: 'b', object: 'not-an-object', kind: 'absolute' },
      ]), /not a registered object/);
      assert.deepEqual(store.db.roots().map((r) => r.name), [], 'the first was not added either');
      addRoots(store, [
        { name: 'a', object: object.path, kind: 'process', pid: process.pid },
        { name: 'b', object: object.path, kind: 'absolute' },
      ], { flush: false });
      assert.deepEqual(store.db.roots().map((r) => r.name).sort(), ['a', 'b']);
      assert.equal(removeRoots(store, ['a', 'b', 'c'], { flush: false }), 2, 'the two that existed');
      assert.deepEqual(store.db.roots(), []);
    } finally {
      store.close();
    }
  });
});
