/** Where a name's nodes stand against the store, without realizing anything (issue 20; `nomia graph --svg` colours). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertReduction, defaultRegistry, graphStates, openStore, realize, runContext } from '../../src/index.js';
import { tempDir } from '../support/cli.js';

describe('graphStates', () => {
  test('must run, then reducible once realized; an assertion is a reduction too; nothing runs to find out', async () => {
    const dir = tempDir('graph-states');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    const registry = defaultRegistry(dir);
    try {
      const name = 'text:digest(x: context:value?v=a)';
      const before = await graphStates(store, name, registry);
      // A value names itself: present without running.
      assert.deepEqual(before.marks.map((m) => m.state), ['must-run', 'in-store']);
      assert.equal(before.unresolved, undefined);
      // Asking recorded nothing: still the same.
      assert.deepEqual((await graphStates(store, name, registry)).marks, before.marks);
      await realize(name, { store, registry, context: runContext() });
      const after = await graphStates(store, name, registry);
      assert.equal(after.marks[0]!.state, 'reducible');
      assert.ok(after.marks[0]!.reducesTo);
      const other = 'text:digest(x: context:value?v=c)';
      await assertReduction(store, registry, other, 'context:value?v=b');
      const asserted = await graphStates(store, other, registry);
      assert.deepEqual(asserted.marks[0], { state: 'reducible', reducesTo: 'context:value?v=b' });
    } finally {
      await registry.close();
      store.close();
    }
  });

  test('a name that cannot be resolved: unknown but for what is present by itself, with the reason', async () => {
    const dir = tempDir('graph-states');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    const registry = defaultRegistry(dir);
    try {
      const states = await graphStates(store, 'nosuch:thing(x: context:value?v=a)', registry);
      assert.deepEqual(states.marks.map((m) => m.state), ['unknown', 'in-store']);
      assert.match(states.unresolved ?? '', /nosuch/);
    } finally {
      await registry.close();
      store.close();
    }
  });
});
