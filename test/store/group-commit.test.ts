/**
 * Group commit (database.ts `beginBatch`/`endBatch`): the objects and
 * reductions one realize records share the fsyncs of the write-ahead log,
 * instead of one each. Counted with strace on the real CLI; that nothing
 * is lost on a crash is the crash campaign's (test/cli/crash-campaign).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bin, env, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

test('a realize of 19 nodes flushes the database log a few times, not once per commit', (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const dir = tempDir('group-commit');
  mkdirSync(join(dir, 'src'));
  const leaves = Array.from({ length: 10 }, (_, i) => {
    writeFileSync(join(dir, 'src', `f${i}`), `leaf ${i}\n`);
    return `f${i} = filesystem:import?path=./src/f${i}`;
  });
  const joins = Array.from({ length: 9 }, (_, k) => `j${k} = exec:run?args=[sh, -c, "cat $a $b > $out"](a: $${k === 0 ? 'f0' : `j${k - 1}`}, b: $f${k + 1})`);
  const name = `compose\n${[...leaves, ...joins].join(';\n')};\n$j8`;
  const trace = join(dir, 'trace');
  const r = spawnSync('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace, process.execPath, bin, '--store', join(dir, 'store'), 'realize', '--log-format', 'json', '-'], {
    cwd: dir, input: name, env: env(), encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const walSyncs = readFileSync(trace, 'utf8').split('\n').filter((l) => /db\.sqlite-wal>/.test(l)).length;
  // One per commit would be about 40 (19 objects, 19 reductions, the memo); the batch flushes once at
  // its end (a checkpoint, if one falls inside, adds its own).
  assert.ok(walSyncs >= 1, 'the realize\'s commits are made durable');
  assert.ok(walSyncs <= 4, `the log was flushed ${walSyncs} times`);
});
