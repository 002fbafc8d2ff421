/**
 * A node's time (`ready … (N ms)`) counts from when it gets its job slot,
 * announced by `realizing`, not from when it was first ready to run: with
 * `-j 1`, a node that waited behind a slow one is not charged the wait.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { createRegistry } from '../../src/namespace/registry.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

test('a ready event\'s ms is no more than the time since its node\'s realizing event', async () => {
  const store = openStore({ dir: join(tempDir('node-timer'), 'store'), fsync: false });
  try {
    const registry = createRegistry(builtinNamespaces, []);
    const context = { env: { PATH: process.env['PATH'] ?? '' }, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
    const name = 'exec:run?args=[sh, -c, "cat $a $b > $out"](a: exec:run?args=[sh, -c, "sleep 0.6; echo a > $out"], b: exec:run?args=[sh, -c, "echo b > $out"])';
    const seen: { e: EngineEvent; at: number }[] = [];
    await realize(name, { store, registry, context, jobs: 1, onEvent: (e) => seen.push({ e, at: Date.now() }) });
    const started = new Map<number, number>();
    let checked = 0;
    for (const { e, at } of seen) {
      if (e.kind === 'realizing') started.set(e.node, at);
      if (e.kind !== 'ready') continue;
      const since = at - started.get(e.node)!;
      // The node's clock starts just before its realizing event is sent: allow the millisecond it may tick over.
      assert.ok(e.ms <= since + 1, `${e.label}: ready after ${e.ms} ms, but its slot came ${since} ms before`);
      checked++;
    }
    assert.equal(checked, 3);
  } finally {
    store.close();
  }
});
