/**
 * `keepGoing` (ninja's `-k N`, engine/realize.ts): by default nothing new
 * starts after the first failure; with 0 every node that needs no failed
 * one is realized and recorded, and the realize still fails with the first
 * failure's error; with N it stops at the Nth failure. A node that only
 * needed a failed one is not counted as a failure of its own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { NomiaError } from '../../src/errors.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const context: RunContext = { env: { PATH: process.env['PATH'] ?? '' }, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
const registry = createRegistry(builtinNamespaces, []);

const ok = (word: string) => `exec:run?args=[sh, -c, "echo ${word} > $out"]`;
const bad = (status: number) => `exec:run?args=[sh, -c, "exit ${status}"]`;

/** Realize `text` with one job (so the order nodes start in is the order they are asked for); its error and events. */
async function run(store: Store, text: string, keepGoing?: number): Promise<{ error: NomiaError | undefined; events: EngineEvent[] }> {
  const events: EngineEvent[] = [];
  try {
    await realize(text, { store, registry, context, jobs: 1, onEvent: (e) => events.push(e), ...(keepGoing === undefined ? {} : { keepGoing }) });
    return { error: undefined, events };
  } catch (e) {
    assert.ok(e instanceof NomiaError, String(e));
    return { error: e, events };
  }
}

const labels = (events: readonly EngineEvent[], kind: EngineEvent['kind']) => events.flatMap((e) => (e.kind === kind && 'label' in e ? [e.label] : []));
const ran = (events: readonly EngineEvent[]) => labels(events, 'ready').filter((l) => l.startsWith('exec:run')).sort();
const failed = (events: readonly EngineEvent[]) => labels(events, 'failed');

/**
 * A node that needs another that would succeed: it is asked for only once that one ran, so with one job it
 * starts after every node asked for at the start (the failing ones) whatever order those started in.
 */
const later = (word: string) => `${laterLabel(word)}(y: ${ok(`${word}-first`)})`;
/** `later`'s label in events (a node's label has no inputs). */
const laterLabel = (word: string) => `exec:run?args=[sh, -c, "cat $y > $out; echo ${word} >> $out"]`;

describe('keep going after a failure', () => {
  test('by default, nothing new starts after the first failure', async () => {
    const store = openStore({ dir: join(tempDir('keep-going'), 'store'), fsync: false });
    try {
      const r = await run(store, `text:digest(p1: ${bad(3)}, p2: ${later('one')})`);
      assert.equal(r.error?.code, 'realize/failed');
      assert.deepEqual(failed(r.events), [bad(3)]);
      assert.ok(!ran(r.events).includes(laterLabel('one')), ran(r.events).join('\n'));
    } finally {
      store.close();
    }
  });

  test('keepGoing 0 realizes and records every node that needs no failed one, then fails with the first error', async () => {
    const store = openStore({ dir: join(tempDir('keep-going'), 'store'), fsync: false });
    try {
      // `p3` needs a failed node: it fails with it, without a failure of its own.
      const r = await run(store, `text:digest(p1: ${bad(3)}, p2: ${later('two')}, p3: text:digest(x: ${bad(5)}))`, 0);
      assert.equal(r.error?.code, 'realize/failed');
      assert.deepEqual(failed(r.events).sort(), [bad(3), bad(5)].sort());
      assert.deepEqual(ran(r.events), [laterLabel('two'), ok('two-first')].sort());
      // Recorded: realized again, it is reused (failures are not recorded: they would be tried again).
      const again = await run(store, later('two'));
      assert.equal(again.error, undefined);
      assert.deepEqual(ran(again.events), []);
    } finally {
      store.close();
    }
  });

  test('keepGoing N stops once N nodes failed; the error is the first failure\'s', async () => {
    const store = openStore({ dir: join(tempDir('keep-going'), 'store'), fsync: false });
    try {
      const text = `text:digest(p1: ${bad(3)}, p2: ${bad(4)}, p3: ${later('three')})`;
      const two = await run(store, text, 2);
      assert.deepEqual(failed(two.events).sort(), [bad(3), bad(4)].sort());
      assert.ok(!ran(two.events).includes(laterLabel('three')));
      const three = await run(store, text, 3);
      assert.deepEqual(failed(three.events).sort(), [bad(3), bad(4)].sort());
      assert.ok(ran(three.events).includes(laterLabel('three')));
      const first = failed(three.events)[0] === bad(3) ? 3 : 4;
      assert.match(three.error?.message ?? '', new RegExp(`exit status ${first}`));
    } finally {
      store.close();
    }
  });
});
