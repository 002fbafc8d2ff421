/**
 * What `nomia reduce` and `nomia reductions` do, driven through the library
 * (a program using the nomia package can do what the CLI does): the
 * registry set up as the CLI sets it up, a user's assertion recorded,
 * followed by realize and shown in the chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertReduction, defaultRegistry, NomiaError, openStore, realize, reductionChain, runContext } from '../../src/index.js';
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
});
