/**
 * The keyed hint store (src/namespace/hint-store.ts) that cc's compiles and ninja's compiles run as commands
 * share: newest first, at most four runs per key, an equal run kept once, entries of another shape (an older
 * Nomia's) not read, and a key's file dead for gc once none of its entries names an object left in the store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deadHints, hintKey, hintStore, keepHint, readHints } from '../../src/namespace/hint-store.js';
import { addPath } from '../../src/store/add.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

test('a key keeps its last four distinct runs, newest first, and skips what is not a hint of its kind', () => {
  const dir = tempDir('hint-store');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  const hints = hintStore(store, 'test', 'runs', (h: unknown): h is number => typeof h === 'number');
  const key = hintKey(['module', ['-O2']]);
  for (const run of [1, 2, 1, 3, 4, 5]) keepHint(store, hints, key, run, []);
  assert.deepEqual(readHints(hints, key), [5, 4, 3, 1]);
  assert.deepEqual(readHints(hints, hintKey(['another'])), []);
  writeFileSync(join(hints.dir, key), JSON.stringify([{ hint: 'text', objects: [] }, { src: 'older' }, { hint: 7, objects: [] }]));
  assert.deepEqual(readHints(hints, key), [7]);
  writeFileSync(join(hints.dir, key), 'not json');
  assert.deepEqual(readHints(hints, key), []);
  store.close();
});

test('a key\'s file is dead once none of its entries names an object left after the sweep', async () => {
  const dir = tempDir('hint-store-gc');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  mkdirSync(join(dir, 'tc'));
  writeFileSync(join(dir, 'tc', 'cc'), 'a toolchain\n');
  const toolchain = await addPath(store, join(dir, 'tc'));
  const hints = hintStore(store, 'test', 'runs', (h: unknown): h is string => typeof h === 'string');
  keepHint(store, hints, 'live', 'a', [join(store.layout.storeDir, toolchain.object.path)]);
  keepHint(store, hints, 'outside', 'b', [join(dir, 'tc')]);
  assert.deepEqual(deadHints(store, hints.dir), [join(hints.dir, 'outside')], 'a hint naming no store object is dead');
  assert.deepEqual(deadHints(store, hints.dir, new Set([toolchain.object.path])).sort(), [join(hints.dir, 'live'), join(hints.dir, 'outside')]);
  store.close();
});
