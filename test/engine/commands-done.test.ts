/**
 * `ctx.commandsDone()` (namespace/types.ts): a node whose commands are done gives its job slot back, so
 * with `-j 1` the next node starts while the first is still storing its results; `-j N` bounds the
 * commands running, as ninja's does, not the nodes finishing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { leaf } from '../../src/namespace/params.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace } from '../../src/namespace/types.js';
import { valueResource } from '../../src/resource/names.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const context = { env: {}, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };

/**
 * `steps:a` and `steps:b`, alike: whichever gets the job slot first ("first") runs its command, says its
 * commands are done (with `done`), and then waits until the other has started (or, should the other never
 * start meanwhile, until a while has passed, which the test reports); the other one ends at once.
 */
function stepsNamespace(done: boolean): { ns: Namespace; order: string[] } {
  const order: string[] = [];
  let secondStarted!: () => void;
  const started = new Promise<void>((r) => { secondStarted = r; });
  const ns: Namespace = {
    id: 'steps', spelling: `test:steps-${done}@1`,
    describe: () => leaf('value', false),
    async realize(req, _inputs, ctx) {
      if (order.length > 0) {
        order.push('second starts');
        secondStarted();
        return { out: valueResource(req.nameId) };
      }
      order.push('first ran its command');
      if (done) ctx.commandsDone?.();
      // Not a timing bound: the fallback only keeps a broken build from waiting forever.
      let fallback: NodeJS.Timeout | undefined;
      await Promise.race([started, new Promise<void>((r) => { fallback = setTimeout(r, 5000); })]);
      clearTimeout(fallback);
      order.push('first stores its result');
      return { out: valueResource(req.nameId) };
    },
  };
  return { ns, order };
}

for (const done of [true, false]) {
  test(done ? 'with -j 1, a node whose commands are done lets the next node run before it is ready' : 'without it, the next node waits for the slot until the first is ready', async () => {
    const { ns, order } = stepsNamespace(done);
    const store = openStore({ dir: join(tempDir('commands-done'), 'store'), fsync: false });
    try {
      const events: EngineEvent[] = [];
      const registry = createRegistry([...builtinNamespaces, ns], []);
      await realize('compose\n  a = steps:a;\n  b = steps:b', { store, registry, context, jobs: 1, onEvent: (e) => events.push(e) });
      assert.deepEqual(order, done ? ['first ran its command', 'second starts', 'first stores its result'] : ['first ran its command', 'first stores its result', 'second starts']);
      const ready = events.filter((e) => e.kind === 'ready').length;
      assert.equal(ready, 2, 'both nodes were realized and reported ready');
    } finally {
      store.close();
    }
  });
}
