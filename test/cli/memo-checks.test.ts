/**
 * A miss of the memo is checked once per process (engine/memo.ts, `MemoMiss`): the lean path's check is
 * passed to the full command, the command's to the engine, and its stats to the memo of nodes. Counted
 * with strace as the calls naming a dependency that did not change: each check stats it once, and the
 * realize itself does not read it (its node is answered by the memo of nodes).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nextSecond } from '../support/clock.js';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

// `a` is a plain file and `d` a directory: plain dependencies are checked first, so every check before
// the fix reached `a` before it found `d` changed.
const NAME = `compose
a = filesystem:import?path=./a;
d = filesystem:import?path=./d;
exec:run?args=[sh, -c, "cat $x $y/* > $out"](x: $a, y: $d)`;

for (const [how, extra] of [['by the lean path', []], ['by the full command (--bind)', ['--bind', 'unused=value:x']]] as const) {
  test(`a memo that misses is checked once in the process, ${how}`, (t) => {
    if (!requireTool(t, 'strace', 'strace')) return;
    const dir = tempDir('memo-checks');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'a'), 'a\n');
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'one'), 'one\n');
    writeFileSync(join(dir, 'name.nomia'), NAME);
    const args = ['realize', '--log-format', 'json', ...extra, '-f', 'name.nomia'];
    // Files changed in the second a realize reads them are racy (stat-cache.ts): their nodes always run.
    nextSecond();
    const first = nomia(store, args, { cwd: dir });
    assert.equal(first.code, 0, first.err);
    nextSecond();
    writeFileSync(join(dir, 'd', 'two'), 'two\n');
    nextSecond();
    const trace = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-e', 'trace=%file', '-o', trace, process.execPath, bin, '--store', store, ...args], { cwd: dir, env: env(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(r.stdout.split('\n')[1]!, 'utf8'), 'a\none\ntwo\n', 'the result is of the files as they are');
    const ran = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string }).filter((e) => e.kind === 'ready');
    assert.ok(!ran.some((e) => e.label?.includes('path=./a')), `the unchanged import is answered by the memo of nodes: ran ${ran.map((e) => e.label).join(', ')}`);
    const statsOfA = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes(`"${join(dir, 'a')}"`));
    assert.equal(statsOfA.length, 1, `the unchanged dependency was statted ${statsOfA.length} times:\n${statsOfA.join('\n')}`);
  });
}
