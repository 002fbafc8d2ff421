/**
 * What gc prunes beside objects (store/gc.ts, `pruneIndexes`): the memos of
 * whole names whose results it deleted (store/memos-gc.ts), and stat cache
 * entries of paths that are gone; entries of files that still exist are
 * kept, and so are memos whose results are still there: a no-op realize
 * after a gc is still answered from its memo (it was not, before
 * 2026-11-28: any deleted object dropped every memo).
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { openStore } from '../../src/store/store.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';

test('gc drops the memos whose results it deletes, and stat cache entries of paths that are gone', () => {
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

type Done = Extract<EngineEvent, { kind: 'done' }>;

/** Realize `name` in `cwd` (extra options first): its `done` event. */
function realize(store: string, cwd: string, name: string, extra: string[] = []): Done {
  const r = nomia(store, ['realize', '--log-format', 'json', ...extra, name], { cwd });
  assert.equal(r.code, 0, r.err);
  return r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent).find((e): e is Done => e.kind === 'done')!;
}

test('a memo whose results gc kept still answers the next no-op; once its results are collected, the name is realized again', () => {
  const dir = tempDir('gc-memo-kept');
  const store = join(dir, 'store');
  const work = join(dir, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'kept'), 'kept\n');
  writeFileSync(join(work, 'other'), 'other\n');
  const kept = 'exec:run?args=[sh, -c, "cat $in > $out"](in: filesystem:import?path=./kept)';
  // Past the racy second of the files: the memo does not trust what changed in the second it was recorded.
  nextSecond();
  assert.notEqual(realize(store, work, kept, ['--root', 'kept']).memo, true);
  assert.equal(realize(store, work, kept).memo, true, 'primed: answered from the memo');
  // Another name's results, rooted by nothing: the gc deletes them, which used to drop every memo.
  realize(store, work, 'exec:run?args=[sh, -c, "cat $in > $out"](in: filesystem:import?path=./other)');
  const collected = nomia(store, ['gc', '--json']);
  assert.equal(collected.code, 0, collected.err);
  assert.ok((JSON.parse(collected.out) as { dead: string[] }).dead.length > 0, 'the gc deleted objects');
  const after = realize(store, work, kept);
  assert.equal(after.memo, true, 'the rooted name is still answered from its memo');
  assert.equal(after.ran, 0);

  assert.equal(nomia(store, ['root', 'remove', 'kept']).code, 0);
  const swept = nomia(store, ['gc', '--json']);
  assert.equal(swept.code, 0, swept.err);
  const open = openStore({ dir: store });
  try {
    assert.equal(open.db.memoCount(), 0, 'the memo of the collected results is gone');
  } finally {
    open.close();
  }
  const again = realize(store, work, kept);
  assert.notEqual(again.memo, true, 'realized again, not answered from the memo');
  assert.ok(again.ran > 0, 'its results were made again');
});
