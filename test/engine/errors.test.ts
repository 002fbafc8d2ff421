/**
 * How a failure leaves the engine: the error keeps its code, what was being
 * done is a `trace` field (not text glued to the message), the `failed`
 * event carries the code, and a namespace that breaks its contract is not a
 * usage error.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { realize } from '../../src/engine/realize.js';
import { NomiaError } from '../../src/errors.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace, RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const context: RunContext = { env: { PATH: process.env['PATH'] ?? '' }, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };

/** A namespace that declares an output `doc` and never gives it. */
const forgetful: Namespace = {
  id: 'forgetful',
  spelling: 'test:forgetful@1',
  describe: () => ({ inputs: {}, outputs: { out: { type: 'value' }, doc: { type: 'value' } }, defaultOutput: 'out', contextual: false }),
  realize: async () => ({ out: { kind: 'value', type: 'value', value: 'x', name: 'context:value?v=x' } }),
};

async function failure(text: string): Promise<{ error: NomiaError; events: EngineEvent[] }> {
  const store = openStore({ dir: join(tempDir('errors'), 'store'), fsync: false });
  const events: EngineEvent[] = [];
  try {
    await realize(text, { store, registry: createRegistry([...builtinNamespaces, forgetful], []), context, onEvent: (e) => events.push(e) });
  } catch (e) {
    assert.ok(e instanceof NomiaError, String(e));
    return { error: e, events };
  } finally {
    store.close();
  }
  assert.fail(`${text} did not fail`);
}

describe('errors out of the engine', () => {
  test('what was being done is a trace frame, and the failed event carries the code', async () => {
    const { error, events } = await failure('text:digest(x: exec:run?args=[false])');
    assert.equal(error.code, 'realize/failed');
    assert.doesNotMatch(error.message, /while/, 'nothing glued to the message');
    assert.deepEqual(error.trace, ['realizing exec:run?args=[false] (1:16)'], 'the frame of the node that failed, not of the one waiting for it');
    const failed = events.filter((e) => e.kind === 'failed');
    assert.deepEqual(failed.map((e) => [e.label, (e as { code: string }).code]), [['exec:run?args=[false]', 'realize/failed']]);
  });

  test('a namespace that does not give an output it declared breaks its contract: not a usage error', async () => {
    const { error } = await failure('forgetful:x');
    assert.equal(error.code, 'namespace/contract');
    assert.match(error.message, /did not produce the output `doc`/);
  });
});
