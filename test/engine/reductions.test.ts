/**
 * What `nomia reduce` and `nomia reductions` do, driven through the library
 * (a program using the nomia package can do what the CLI does): the
 * registry set up as the CLI sets it up, a user's assertion recorded,
 * followed by realize and shown in the chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertReduction, createRegistry, builtinNamespaces, defaultRegistry, materialize, NomiaError, openStore, realize, reductionChain, runContext, spellName } from '../../src/index.js';
import { record } from '../../src/engine/reductions.js';
import { tempDir } from '../support/cli.js';

describe('user-asserted reductions, through the library', () => {
  test('an assertion is followed by realize and shown as a step of the chain', async () => {
    const dir = tempDir('assert');
    const store = openStore({ dir: join(dir, 'store'), fsync: false });
    const registry = defaultRegistry(dir);
    try {
      const from = 'text:digest(x: context:value?v=a)';
      await assertReduction(store, registry, from, 'context:value?v=b');
      const { roots } = await realize(from, { store, registry, context: runContext() });
      assert.deepEqual(roots.map((r) => (r.kind === 'value' ? r.value : r.path)), ['b']);
      const chain = await reductionChain(store, from, registry);
      assert.equal(chain[0]!.row?.kind, 'asserted');
      assert.equal(chain[0]!.row?.to, 'context:value?v=b');
      assert.equal(chain[1]!.name, 'context:value?v=b');
      await assert.rejects(assertReduction(store, registry, 'stdin', 'context:value?v=b'), (e: unknown) => e instanceof NomiaError && e.code === 'usage');
    } finally {
      await registry.close();
      store.close();
    }
  });

  test('one trust rule: a namespace speaks for its own names only, wherever a row is followed', async () => {
    // Regression: materialize without a node's namespace, and nomia reductions, followed any namespace's row.
    const store = openStore({ dir: join(tempDir('trust'), 'store'), fsync: false });
    const registry = createRegistry(builtinNamespaces, []);
    try {
      const name = 'git:exact-fetch?repo="/r"&rev=1';
      const from = spellName(name, registry)!;
      record(store, { from, namespace: 'external:liar@1', to: 'context:value?v=evil', kind: 'realized' });
      assert.equal(materialize(store, name, registry), undefined, 'another namespace cannot say what a git name is');
      assert.equal((await reductionChain(store, name, registry))[0]!.row, undefined, 'nor is it shown as a step');
      record(store, { from, namespace: 'user', to: 'context:value?v=mine', kind: 'asserted' });
      assert.equal(materialize(store, name, registry)?.resource.name, 'context:value?v=mine', 'the user may');
      assert.equal((await reductionChain(store, name, registry))[0]!.row?.to, 'context:value?v=mine');
    } finally {
      store.close();
    }
  });
});

describe('recording a reduction again', () => {
  test('an identical row is not written again (a no-op realize writes nothing); a different one is, and becomes the newest', async () => {
    const store = openStore({ dir: join(tempDir('rerecord'), 'store'), fsync: false });
    try {
      const from = spellName('context:value?v=a', createRegistry(builtinNamespaces, []))!;
      const row = { from, namespace: 'builtin:text@1', to: 'context:value?v=b', kind: 'realized' as const };
      record(store, row);
      const first = store.db.reductionsFrom(from)[0]!.createdAt;
      await new Promise((r) => setTimeout(r, 5));
      record(store, row);
      assert.equal(store.db.reductionsFrom(from)[0]!.createdAt, first, 'the row was rewritten');
      record(store, { ...row, namespace: 'builtin:exec@1', to: 'context:value?v=c' });
      await new Promise((r) => setTimeout(r, 5));
      record(store, row);
      assert.equal(store.db.reductionsFrom(from)[0]!.to, 'context:value?v=b', 'a row that is no longer the newest is recorded again');
    } finally {
      store.close();
    }
  });
});
