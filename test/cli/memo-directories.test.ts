/**
 * The same name text with a relative path, realized in two directories that hold different files at
 * that path: each directory has its own memo entry (the key holds the working directory), and realizing
 * in one does not empty the other's. The contextual node's row under its own spelling (its latest run)
 * is replaced each time; replacing it forgets no memo (engine/reductions.ts, `record`).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';

const NAME = 'exec:run?args=[sh, -c, "cat $in > $out"](in: filesystem:import?path=./a)';

test('a relative path realized in two directories: each is answered from its own memo', () => {
  const dir = tempDir('memo-dirs');
  const store = join(dir, 'store');
  for (const d of ['one', 'two']) {
    mkdirSync(join(dir, d));
    writeFileSync(join(dir, d, 'a'), `${d}\n`);
  }
  nextSecond();
  const realize = (d: string) => {
    const r = nomia(store, ['realize', '--log-format', 'json', NAME], { cwd: join(dir, d) });
    assert.equal(r.code, 0, r.err);
    const done = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent).find((e) => e.kind === 'done');
    return { content: readFileSync(r.out.split('\n')[1]!, 'utf8'), memo: done?.kind === 'done' && done.memo === true };
  };
  assert.deepEqual(realize('one'), { content: 'one\n', memo: false });
  assert.deepEqual(realize('two'), { content: 'two\n', memo: false }, 'another directory is another memo entry');
  assert.deepEqual(realize('one'), { content: 'one\n', memo: true }, 'realizing in two did not empty one\'s memo');
  assert.deepEqual(realize('two'), { content: 'two\n', memo: true });
});
