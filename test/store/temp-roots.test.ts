/**
 * Temporary roots: a hold on an object this process has pinned by a commit
 * answers from memory, and is still a root gc sees.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addPath } from '../../src/store/add.js';
import { self } from '../../src/store/process.js';
import { openStore } from '../../src/store/store.js';
import { Protection } from '../../src/engine/protect.js';
import { dropTempRoots, holdTempRoot, holdTempRootSoon, releaseTempRoots } from '../../src/store/temp-roots.js';
import { nomia, tempDir } from '../support/cli.js';

describe('temporary roots', () => {
  test('a realize\'s results held at once take one transaction; an unregistered one stops the hold after those before it', async () => {
    const dir = tempDir('temp-roots-many');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    try {
      const objects: string[] = [];
      for (let i = 0; i < 20; i++) {
        writeFileSync(join(dir, `f${i}`), `${i}\n`);
        objects.push((await addPath(store, join(dir, `f${i}`))).object.path);
      }
      // As another process would find them: registered, not pinned by this one.
      dropTempRoots(store);
      let transactions = 0;
      const volatile = store.db.volatile.bind(store.db);
      store.db.volatile = (f) => {
        transactions++;
        return volatile(f);
      };
      const me = self();
      const rooted = (o: string) => store.db.hasTempRoot({ object: o, pid: me.pid, pidStart: me.pidStart });
      const first = new Protection(store);
      assert.equal(first.holdEntries([...objects.slice(0, 10), objects[0]!]), true);
      assert.equal(transactions, 1, 'one transaction for ten objects');
      assert.ok(objects.slice(0, 10).every(rooted));
      const second = new Protection(store);
      assert.equal(second.holdEntries([objects[10]!, objects[0]!, 'not-an-object', objects[11]!]), false);
      assert.equal(transactions, 2);
      assert.ok(rooted(objects[10]!), 'held before the unregistered one');
      assert.ok(!rooted(objects[11]!), 'not held after it');
      first.release();
      assert.ok(rooted(objects[0]!), 'still held by the second protection (and twice by the first)');
      assert.ok(!rooted(objects[5]!), 'released with its only holder');
      second.release();
      assert.ok(!rooted(objects[0]!) && !rooted(objects[10]!), 'every hold released');
    } finally {
      store.close();
    }
  });

  test('holding what this process committed takes no transaction; releasing it keeps the pin', async () => {
    const dir = tempDir('temp-roots');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    try {
      writeFileSync(join(dir, 'x'), 'x\n');
      const { object } = await addPath(store, join(dir, 'x'));
      let transactions = 0;
      const volatile = store.db.volatile.bind(store.db);
      store.db.volatile = (f) => {
        transactions++;
        return volatile(f);
      };
      assert.equal(holdTempRoot(store, object.path), true);
      assert.equal(transactions, 0, 'a committed pin is known in memory');
      releaseTempRoots(store, [object.path]);
      const me = self();
      assert.ok(store.db.hasTempRoot({ object: object.path, pid: me.pid, pidStart: me.pidStart }), 'the pin stays for the life of the process');
      assert.equal(holdTempRoot(store, 'not-an-object'), false, 'an unregistered object is still refused');
    } finally {
      store.close();
    }
  });

  test('holds asked for in one turn are taken in one transaction, each checked', async () => {
    const dir = tempDir('temp-roots-soon');
    const home = join(dir, 'store');
    for (const f of ['a', 'b', 'c']) writeFileSync(join(dir, f), `${f}\n`);
    // Added by another process, so this one has pinned nothing.
    const added = nomia(home, ['add', '--json', join(dir, 'a'), join(dir, 'b'), join(dir, 'c')]);
    assert.equal(added.code, 0, added.err);
    const store = openStore({ dir: home, fsync: false });
    try {
      const objects = store.db.objects().map((o) => o.path);
      assert.equal(objects.length, 3);
      let transactions = 0;
      const volatile = store.db.volatile.bind(store.db);
      store.db.volatile = (f) => {
        transactions++;
        return volatile(f);
      };
      const answers = await Promise.all([...objects, objects[0]!, 'not-an-object'].map((o) => holdTempRootSoon(store, o)));
      assert.deepEqual(answers, [true, true, true, true, false]);
      assert.equal(transactions, 1, 'one transaction for the turn');
      const me = self();
      for (const o of objects) assert.ok(store.db.hasTempRoot({ object: o, pid: me.pid, pidStart: me.pidStart }));
      releaseTempRoots(store, [...objects, objects[0]!]);
      for (const o of objects) assert.ok(!store.db.hasTempRoot({ object: o, pid: me.pid, pidStart: me.pidStart }), 'released with their last hold');
    } finally {
      store.close();
    }
  });
});
