/**
 * What gc prunes beside objects (store/gc.ts, `pruneIndexes`): the memos of
 * whole names once any object is deleted, and stat cache entries of paths
 * that are gone; entries of files that still exist are kept.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/store.js';
import { nomia, tempDir } from '../support/cli.js';

test('gc drops memos when it deletes objects, and stat cache entries of paths that are gone', () => {
  const dir = tempDir('gc-indexes');
  const store = join(dir, 'store');
  const work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'kept'), 'kept\n');
  writeFileSync(join(work, 'gone'), 'gone\n');
  for (const f of ['kept', 'gone']) {
    const r = nomia(store, ['realize', `exec:run?args=[sh, -c, "cat $in > $out"](in: filesystem:import?path=./${f})`], { cwd: work });
    assert.equal(r.code, 0, r.err);
  }
  const before = openStore({ dir: store });
  try {
    assert.deepEqual(before.db.statPaths().sort(), [join(work, 'gone'), join(work, 'kept')]);
    assert.equal(before.db.memoCount(), 2, 'each realize kept a memo');
  } finally {
    before.close();
  }
  rmSync(join(work, 'gone'));
  const gc = nomia(store, ['gc']);
  assert.equal(gc.code, 0, gc.err);
  const after = openStore({ dir: store });
  try {
    assert.deepEqual(after.db.statPaths(), [join(work, 'kept')], 'the entry of the removed file is gone, the other kept');
    assert.equal(after.db.memoCount(), 0, 'nothing was rooted, so objects went, and the memos with them');
  } finally {
    after.close();
  }
});
