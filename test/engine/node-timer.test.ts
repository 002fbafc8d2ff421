/**
 * A node's time (`ready … (N ms)`) counts from when it gets its job slot, not from when it was first
 * ready to run: with `-j 1`, a node that waited behind a slow one is not charged the wait.
 *
 * No wall-clock threshold: with one slot, a unit gets it only after the unit before it sent its
 * `ready` (it sends it while it holds the slot), so its clock cannot have started before that event was
 * seen. Each node's time is therefore at most the time between the `ready` seen last before its
 * `realizing` (or the start of the realize) and its own `ready`, whatever the machine's load. Both
 * leaves sleep, so a node charged its wait would exceed that by at least the other leaf's sleep.
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

test('a ready event\'s ms leaves out the wait for the job slot', async () => {
  const store = openStore({ dir: join(tempDir('node-timer'), 'store'), fsync: false });
  try {
    const registry = createRegistry(builtinNamespaces, []);
    const context = { env: { PATH: process.env['PATH'] ?? '' }, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
    const name = 'exec:run?args=[sh, -c, "cat $a $b > $out"](a: exec:run?args=[sh, -c, "sleep 0.4; echo a > $out"], b: exec:run?args=[sh, -c, "sleep 0.2; echo b > $out"])';
    const seen: { e: EngineEvent; at: number }[] = [];
    const begun = Date.now();
    await realize(name, { store, registry, context, jobs: 1, onEvent: (e) => seen.push({ e, at: Date.now() }) });
    let lastReady: number | undefined;
    const slotFrom = new Map<number, number>();
    let waited = 0;
    for (const { e, at } of seen) {
      if (e.kind === 'realizing') {
        slotFrom.set(e.node, lastReady ?? begun);
        if (lastReady !== undefined) waited++;
      }
      if (e.kind !== 'ready') continue;
      const bound = at - slotFrom.get(e.node)!;
      assert.ok(e.ms <= bound, `${e.label}: ready after ${e.ms} ms, but the slot was free only ${bound} ms before`);
      lastReady = at;
    }
    assert.equal(slotFrom.size, 3, 'every node ran');
    assert.equal(waited, 2, 'the second leaf and the root each waited for the slot');
  } finally {
    store.close();
  }
});
