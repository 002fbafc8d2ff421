/**
 * A namespace that emits a refinement of the node it realizes and returns
 * the result has that result recorded for the refinement too (step.ts,
 * `recordOutputs`; docs/engine.md, "Reductions"): only for a name of its
 * own namespace, the refinement's row first, so a crash between the two
 * rows loses nothing; and `--check` of the refinement still runs it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { builtinNamespaces, createRegistry, NomiaError, openStore, realize, runContext, spellName, type Store } from '../../src/index.js';
import type { Namespace } from '../../src/namespace/types.js';
import { valueResource } from '../../src/resource/names.js';
import { tempDir } from '../support/cli.js';

/** `demo:loose?v=X` emits `demo:exact?v=X` and makes its result itself; `demo:cross?v=X` emits `context:value?v=X`. */
function demo(runs: string[], exactGives = 'made'): Namespace {
  return {
    id: 'demo',
    spelling: 'test:demo@1',
    describe: () => ({ inputs: {}, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false }),
    async realize(req, _inputs, ctx) {
      const v = req.params.find((p) => p.key === 'v')!.value;
      const value = v.kind === 'String' ? v.value : '';
      runs.push(req.nameId);
      if (req.nameId === 'loose') ctx.emitReduction(`demo:exact?v=${value}`);
      if (req.nameId === 'cross') ctx.emitReduction(`context:value?v=${value}`);
      return { out: valueResource(req.nameId === 'exact' ? exactGives : 'made') };
    },
  };
}

async function withStore(label: string, body: (store: Store) => Promise<void>): Promise<void> {
  const store = openStore({ dir: join(tempDir(label), 'store'), fsync: false });
  try {
    await body(store);
  } finally {
    store.close();
  }
}

describe('a refinement recorded by the namespace that produced its result', () => {
  test('the refinement of its own namespace is recorded, and realizing it runs nothing; --check of it runs it and compares', async () => {
    await withStore('refine-own', async (store) => {
      const runs: string[] = [];
      const registry = createRegistry([...builtinNamespaces, demo(runs)], []);
      const loose = await realize('demo:loose?v=a', { store, registry, context: runContext() });
      assert.deepEqual(loose.roots.map((r) => r.name), ['context:value?v=made']);
      assert.deepEqual(runs, ['loose']);
      const exact = await realize('demo:exact?v=a', { store, registry, context: runContext() });
      assert.deepEqual(exact.roots.map((r) => r.name), ['context:value?v=made']);
      assert.deepEqual(runs, ['loose'], 'the refinement was recorded with the result');
      await realize('demo:exact?v=a', { store, registry, context: runContext(), redo: 'check' });
      assert.deepEqual(runs, ['loose', 'exact'], '--check ran the refinement itself');
      const liar = createRegistry([...builtinNamespaces, demo([], 'other')], []);
      await assert.rejects(realize('demo:exact?v=a', { store, registry: liar, context: runContext(), redo: 'check' }), (e: unknown) => e instanceof NomiaError && e.code === 'realize/not-reproducible');
    });
  });

  test('a refinement in another namespace is not recorded with the result: what it is, is that namespace\'s to say', async () => {
    await withStore('refine-cross', async (store) => {
      const registry = createRegistry([...builtinNamespaces, demo([])], []);
      await realize('demo:cross?v=z', { store, registry, context: runContext() });
      assert.deepEqual(store.db.reductionsFrom(spellName('demo:cross?v=z', registry)!).filter((r) => r.namespace === 'test:demo@1').map((r) => r.to), ['context:value?v=z']);
      assert.deepEqual(store.db.reductionsFrom(spellName('context:value?v=z', registry)!), []);
    });
  });

  test('a crash after the first of the two rows loses nothing: the refinement\'s result is kept, the node runs again', async () => {
    await withStore('refine-crash', async (store) => {
      const runs: string[] = [];
      const registry = createRegistry([...builtinNamespaces, demo(runs)], []);
      const put = store.db.putReduction.bind(store.db);
      let writes = 0;
      store.db.putReduction = (row) => {
        if (++writes === 2) throw new Error('the process died here');
        put(row);
      };
      await assert.rejects(realize('demo:loose?v=b', { store, registry, context: runContext() }), /died here/);
      store.db.putReduction = put;
      assert.equal(store.db.reductionsFrom(spellName('demo:loose?v=b', registry)!).length, 0, 'the node\'s own row was not written');
      const exact = await realize('demo:exact?v=b', { store, registry, context: runContext() });
      assert.deepEqual(exact.roots.map((r) => r.name), ['context:value?v=made']);
      assert.deepEqual(runs, ['loose'], 'the refinement\'s row was written first and kept');
      const again = await realize('demo:loose?v=b', { store, registry, context: runContext() });
      assert.deepEqual(again.roots.map((r) => r.name), ['context:value?v=made']);
      assert.deepEqual(runs, ['loose', 'loose']);
    });
  });
});
