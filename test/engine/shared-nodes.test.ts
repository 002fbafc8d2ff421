/**
 * A name that uses the same atom N times realizes it once per realize
 * (graph/share.ts): the namespace is asked to describe and to realize it
 * once, and the run's events name it once. Counted on a contextual name
 * (always run, never looked up, so nothing but sharing could spare a call)
 * and on a pure one (before, each copy waited on the first's lock and then
 * looked its result up).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { AtomRequest, Namespace, RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const context: RunContext = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };

/** `count:pure?…` and `count:contextual?…` (which take any inputs) give a value; every call is counted by name id and parameters. */
function countingNamespace() {
  const described = new Map<string, number>();
  const realized = new Map<string, number>();
  const key = (req: AtomRequest) => `${req.nameId}?${req.params.map((p) => `${p.key}=${p.value.kind === 'String' ? p.value.value : '…'}`).join('&')}`;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const ns: Namespace = {
    id: 'count', spelling: 'test:count@1',
    describe: (req) => {
      bump(described, key(req));
      return { inputs: 'any', outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: req.nameId === 'contextual' };
    },
    realize: async (req, inputs) => {
      bump(realized, key(req));
      const v = `${key(req)}(${Object.keys(inputs).sort().join(',')})`.replace(/[^a-z0-9]/g, '-');
      return { out: { kind: 'value', type: 'value', value: v, name: `context:value?v=${v}` } };
    },
  };
  return { ns, described, realized };
}

const N = 5;
const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');

describe('the same atom used N times is realized once', () => {
  for (const kind of ['contextual', 'pure'] as const) {
    test(`${kind}: ${N} copies of one atom, and of one subtree over it: one describe and one realize each`, async () => {
      const { ns, described, realized } = countingNamespace();
      const registry = createRegistry([...builtinNamespaces, ns], []);
      const store = openStore({ dir: join(tempDir('shared-nodes'), 'store'), fsync: false });
      try {
        const leaf = `count:${kind}?k=leaf`;
        const events: EngineEvent[] = [];
        const { roots } = await realize(`text:digest(${times(N, (i) => `p${i}: ${leaf}`)}, ${times(N, (i) => `q${i}: count:${kind}?k=mid(${leaf})`)})`, {
          store, registry, context, jobs: 4, onEvent: (e) => events.push(e),
        });
        assert.equal(roots.length, 1);
        assert.deepEqual(Object.fromEntries(realized), { [`${kind}?k=leaf`]: 1, [`${kind}?k=mid`]: 1 });
        assert.deepEqual(Object.fromEntries(described), { [`${kind}?k=leaf`]: 1, [`${kind}?k=mid`]: 1 });
        // The log names each once: one node of each, realized once (`realizing`, `reduced`, `ready`).
        for (const label of [leaf, `count:${kind}?k=mid`]) {
          const mine = events.filter((e) => 'label' in e && e.label === label);
          assert.equal(new Set(mine.map((e) => 'node' in e && e.node)).size, 1, `${label}: events of several nodes`);
          assert.deepEqual(mine.filter((e) => e.kind === 'realizing' || e.kind === 'ready').map((e) => e.kind), ['realizing', 'ready']);
        }
      } finally {
        store.close();
        await registry.close();
      }
    });
  }

  test('atoms that differ are realized once each', async () => {
    const { ns, realized } = countingNamespace();
    const registry = createRegistry([...builtinNamespaces, ns], []);
    const store = openStore({ dir: join(tempDir('shared-nodes'), 'store'), fsync: false });
    try {
      await realize(`text:digest(${times(N, (i) => `p${i}: count:contextual?k=${i}`)})`, { store, registry, context });
      assert.equal(realized.size, N);
      assert.ok([...realized.values()].every((n) => n === 1));
    } finally {
      store.close();
      await registry.close();
    }
  });
});
