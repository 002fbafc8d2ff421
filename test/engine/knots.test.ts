/**
 * Tying knots: a cycle whose members are names of one namespace that
 * declares `tiesKnots` is realized as one unit by its `realizeKnot`, direct
 * and behind the protocol; it is recorded and looked up like any node; a
 * cycle no namespace can tie is a clear error.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { ExternalNamespace } from '../../src/namespace/protocol/client.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace, RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { readLog } from '../../src/store/logs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { knotNamespace } from './knot-fixture.js';

const context: RunContext = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
const fixture = fileURLToPath(new URL('./knot-fixture.js', import.meta.url));

async function realizeWith(namespaces: Namespace[], store: Store, text: string) {
  const registry = createRegistry([...builtinNamespaces, ...namespaces], []);
  const events: EngineEvent[] = [];
  const { roots } = await realize(text, { store, registry, context, onEvent: (e) => events.push(e) });
  return { values: roots.map((r) => (r.kind === 'value' ? r.value : r.path)), events, kinds: (k: EngineEvent['kind']) => events.filter((e) => e.kind === k) };
}

const pair = 'compose a = knot:node?id=a(next: $b); b = knot:node?id=b(next: $a)';

describe('tying knots', () => {
  const rpc = new ExternalNamespace({ id: 'knot', spelling: 'test:knot@1', command: [process.execPath, fixture, '--serve', 'knot'] });
  after(() => rpc.close());
  const calls = { knots: 0 };
  const implementations: [string, () => Namespace][] = [['direct', () => knotNamespace('knot', calls)], ['behind JSON-RPC', () => rpc]];

  for (const [how, ns] of implementations) {
    test(`two values that refer to each other are realized at once (${how})`, async () => {
      const store = openStore({ dir: join(tempDir('knots'), 'store'), fsync: false });
      try {
        const first = await realizeWith([ns()], store, pair);
        assert.deepEqual(first.values, ['a→b→a', 'b→a→b']);
        assert.equal(first.kinds('realizing').length, 2, 'both members run, in one call');
        assert.ok(first.events.some((e) => e.kind === 'log' && e.line === 'tying a knot of 2'));
        // The same cycle inside another name: its members are looked up by their spellings, not tied again.
        const inside = await realizeWith([ns()], store, `let ${pair.slice('compose '.length)} in text:digest(x: $a, y: $b)`);
        assert.deepEqual(inside.kinds('realizing').map((e) => (e as { label: string }).label), ['text:digest']);
        assert.equal(inside.kinds('cache-hit').length, 2);
        // Written in another order or with other binders, it is the same cycle (it spells the same).
        const renamed = await realizeWith([ns()], store, 'compose q = knot:node?id=b(next: $p); p = knot:node?id=a(next: $q)');
        assert.deepEqual(renamed.values, ['b→a→b', 'a→b→a']);
        assert.equal(renamed.kinds('realizing').length, 0);
      } finally {
        store.close();
      }
    });

    test(`a cycle fed from outside, and a chain that leaves it (${how})`, async () => {
      const store = openStore({ dir: join(tempDir('knots-in'), 'store'), fsync: false });
      try {
        const name = 'compose a = knot:node?id=a(next: $b, seed: context:value?v=s); b = knot:node?id=b(next: $c); c = knot:node?id=c(next: $a); knot:node?id=out(next: $b)';
        const r = await realizeWith([ns()], store, name);
        assert.deepEqual(r.values, ['out→b→c→a[s]→b']);
        assert.equal(r.kinds('realizing').length, 5, 'the value, three members and the node after them');
      } finally {
        store.close();
      }
    });
  }

  test('realizeKnot runs once per cycle, and not at all when it is recorded', async () => {
    const store = openStore({ dir: join(tempDir('knots-count'), 'store'), fsync: false });
    try {
      calls.knots = 0;
      const ns = knotNamespace('knot', calls);
      await realizeWith([ns], store, `${pair}; text:digest(x: $a)`);
      await realizeWith([ns], store, `${pair}; text:digest(y: $b)`);
      assert.equal(calls.knots, 1);
    } finally {
      store.close();
    }
  });

  test('a cycle goes through the same steps as a node: its inputs are type-checked, its log is kept', async () => {
    const store = openStore({ dir: join(tempDir('knots-steps'), 'store'), fsync: false });
    try {
      // Regression: the knot's copy of the node steps had no input type check and kept no log.
      const base = knotNamespace('knot');
      const typed: Namespace = {
        ...base,
        describe: (req) => ({ ...(base.describe(req) as object), inputs: { next: { type: 'value' }, seed: { type: 'dir' } } }) as never,
      };
      await assert.rejects(realizeWith([typed], store, 'compose a = knot:node?id=a(next: $b, seed: context:value?v=s); b = knot:node?id=b(next: $a, seed: context:value?v=t)'),
        /input `seed` of `knot:node\?id=a` must be a dir, but context:value\?v=s is a value/);
      const r = await realizeWith([knotNamespace('knot')], store, pair);
      const spellings = r.kinds('realizing').map((e) => (e as { spelling: string }).spelling);
      assert.equal(spellings.length, 2);
      for (const s of spellings) assert.equal(readLog(store, s), 'tying a knot of 2\n');
    } finally {
      store.close();
    }
  });

  test('a cycle across two namespaces, or through one that cannot tie it, is a clear error', async () => {
    const store = openStore({ dir: join(tempDir('knots-refused'), 'store'), fsync: false });
    try {
      const both = [knotNamespace('knot'), knotNamespace('other')];
      await assert.rejects(realizeWith(both, store, 'compose a = knot:node?id=a(next: $b); b = other:node?id=b(next: $a)'),
        /cannot tie the knot through `knot:node\?id=a`, `other:node\?id=b` \(1:13\): its members are names of different namespaces/);
      await assert.rejects(realizeWith(both, store, 'compose a = knot:node?id=a(next: $b); b = exec:run?args=[x](in: $a)'),
        /cannot realize a cycle through `knot:node\?id=a`, `exec:run\?args=\[x\]`: `exec:run\?args=\[x\]` cannot be part of a knot \(its namespace does not tie knots\)/);
    } finally {
      store.close();
    }
  });
});
