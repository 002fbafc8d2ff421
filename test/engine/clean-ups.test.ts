/**
 * Inside a realize, work directories and released lock files are removed in
 * the background (store/background.ts); the realize waits for them before it
 * returns or throws. Checked the moment `realize` settles, in-process (a CLI
 * process would finish them anyway before it exits).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { realize } from '../../src/engine/realize.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { RunContext } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const context: RunContext = { env: { PATH: process.env['PATH'] ?? '' }, cwd: '/', now: 0, stdin: () => { throw new Error('no stdin'); } };
const registry = createRegistry([...builtinNamespaces], []);

/** Twelve commands joined in one, each its own work directory and lock; `fail` makes one of them fail. */
function graph(salt: string, fail?: number): string {
  const leaves = Array.from({ length: 12 }, (_, i) => `l${i} = exec:run?args=[sh, -c, "${i === fail ? 'exit 3' : `echo ${salt} ${i} > $out`}"]`);
  return `compose\n${leaves.join(';\n')};\nexec:run?args=[sh, -c, "cat ${leaves.map((_, i) => `$l${i}`).join(' ')} > $out"](${leaves.map((_, i) => `l${i}: $l${i}`).join(', ')})`;
}

/** What a finished realize may leave in tmp/ and locks/: nothing (the takeover lock's database aside). */
function leftovers(home: string): string[] {
  const list = (d: string) => {
    try {
      return readdirSync(join(home, d)).filter((e) => !e.startsWith('.takeover')).map((e) => `${d}/${e}`);
    } catch {
      return [];
    }
  };
  return [...list('tmp'), ...list('locks')];
}

test('a realize returns only once its work directories and lock files are gone', async () => {
  const home = join(tempDir('clean-ups'), 'store');
  const store = openStore({ dir: home });
  try {
    const { roots } = await realize(graph('ok'), { store, registry, context, jobs: 2 });
    assert.equal(roots.length, 1);
    assert.deepEqual(leftovers(home), []);
  } finally {
    store.close();
  }
});

test('a failed realize, too, leaves no work directory and no lock file', async () => {
  const home = join(tempDir('clean-ups-failed'), 'store');
  const store = openStore({ dir: home });
  try {
    await assert.rejects(realize(graph('bad', 11), { store, registry, context, jobs: 2 }), /exit|status 3/);
    assert.deepEqual(leftovers(home), []);
  } finally {
    store.close();
  }
});
