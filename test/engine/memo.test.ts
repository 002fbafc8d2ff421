/**
 * The memo's clock dependency (engine/memo.ts, `RealizeContext.validUntil`):
 * a memo whose node said its result holds only until some time answers
 * before then and never after, whatever its files say; the clock is not a
 * path to watch, and a warm daemon's copy in memory expires with it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dependencies, lookupMemo, memoKey, memoPaths, recordMemo } from '../../src/engine/memo.js';
import { statTree } from '../../src/store/stat-cache.js';
import { openStore } from '../../src/store/store.js';
import { WarmMemos } from '../../src/daemon/warm.js';
import type { Resource } from '../../src/resource/types.js';
import { nextSecond } from '../support/clock.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('memo-clock');
const store = openStore({ dir: join(dir, 'store'), fsync: false });
const file = join(dir, 'input');
writeFileSync(file, 'x');
const results: Resource[] = [{ kind: 'value', type: 'value', name: 'value:x', value: 'x' }];

/** A memo of one node that read `file` and holds until `until`. */
function record(text: string, until: number) {
  const deps = new Dependencies();
  deps.add(statTree(store, file)!, [0]);
  deps.expire(until, [0]);
  const key = memoKey({ text, cwd: dir, configuration: '' });
  recordMemo(store, key, results, deps.list());
  return key;
}

test('a memo that holds until a time answers before it, and not after it, with its files unchanged', () => {
  nextSecond();
  const later = record('later', Date.now() + 3_600_000);
  const hit = lookupMemo(store, later);
  assert.ok(hit, 'before its time the memo answers');
  assert.deepEqual(hit.paths, [file], 'the clock is not a path to watch');
  assert.deepEqual(memoPaths(store, later), [file]);
  const past = record('past', Date.now() - 1);
  assert.equal(lookupMemo(store, past), undefined, 'after its time the memo does not answer');
});

test('a warm memo in memory (the daemon\'s) expires with its clock, though no watch fires', () => {
  nextSecond();
  const soon = record('soon', Date.now() + 2000);
  const warm = new WarmMemos(store);
  try {
    assert.ok(warm.answer(soon), 'armed and answered before its time');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    assert.equal(warm.answer(soon), undefined, 'after its time it is not answered from memory');
  } finally {
    warm.close();
  }
});
