/**
 * A realize the memo does not answer opens the store once: the lean path
 * (realize-lean.ts) that checked the memo hands its open store to the full
 * command (store-options.ts `handOnStore`), which used to open it again.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ninjaFromMemoLean } from '../../src/cli/ninja-lean.js';
import { realizeFromMemo } from '../../src/cli/realize-lean.js';
import { takeHandedOn } from '../../src/cli/store-options.js';
import { nomia, tempDir } from '../support/cli.js';

test('a realize the memo misses hands its open store to the full command, which realizes with it', async () => {
  const dir = tempDir('store-open-once');
  const store = join(dir, 'store');
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'a'), 'a\n');
  const name = `filesystem:import?path=${src}`;
  assert.equal(nomia(store, ['realize', '--log-format', 'plain', name]).code, 0);
  // A new file: the memo the lean path checks misses.
  writeFileSync(join(src, 'b'), 'b\n');
  const outcome = await realizeFromMemo(['--store', store, 'realize', '--log-format', 'plain', name]);
  assert.equal(outcome.status, undefined);
  assert.ok(outcome.missed, 'the lean path checked the memo and saw it miss');
  const handed = takeHandedOn(store);
  assert.ok(handed, 'the lean path handed its store on');
  try {
    assert.equal(handed.layout.home, store);
  } finally {
    handed.close();
  }
  // The whole command, lean path then full command in one process, stores the new tree.
  const r = nomia(store, ['realize', '--log-format', 'plain', name]);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(r.out.trim().split('\n')[1]!, 'b')), r.out);
});

test('a nomia ninja the memo misses hands its open store on too', () => {
  const dir = tempDir('store-open-once-ninja');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'a'), 'a\n');
  // A store exists (made by an add); no build of this directory was ever memoized.
  assert.equal(nomia(store, ['add', join(dir, 'a')]).code, 0);
  const answer = ninjaFromMemoLean(['--store', store, 'ninja', '-C', dir]);
  assert.ok(!('status' in answer), 'not answered');
  // No memo under the key: the miss, as checked, is passed on to the full command.
  assert.ok('missed' in answer && answer.missed?.checked === undefined);
  const handed = takeHandedOn(store);
  assert.ok(handed, 'the lean path handed its store on');
  handed.close();
});
