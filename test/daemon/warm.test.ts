/**
 * `nomia realize --daemon`: a no-op is answered by the daemon from a warm
 * memo, a change to an imported file is seen at once (the watch marks the
 * memo dirty, its check fails, the name is realized again), and with no
 * daemon listening the CLI realizes in process.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';
import { startDaemon } from '../support/daemon.js';

type Done = Extract<EngineEvent, { kind: 'done' }>;

test('a daemon answers a no-op from a warm memo and never a stale one; without a daemon the CLI realizes itself', async () => {
  const dir = tempDir('warm');
  const store = join(dir, 'store');
  const work = join(dir, 'work');
  mkdirSync(join(work, 'src'), { recursive: true });
  writeFileSync(join(work, 'src', 'a'), 'one\n');
  const socket = join(dir, 'd.sock');
  const name = 'exec:run?args=[sh, -c, "cat $in/a > $out"](in: filesystem:import?path=./src)';
  const realize = (sock = socket) => {
    const r = nomia(store, ['realize', '--daemon', sock, '--log-format', 'json', '-'], { cwd: work, input: name });
    assert.equal(r.code, 0, r.err);
    const done = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent).find((e): e is Done => e.kind === 'done')!;
    return { done, content: readFileSync(r.out.trim().split('\n')[1]!, 'utf8') };
  };

  const alone = realize(join(dir, 'nobody.sock'));
  assert.equal(alone.content, 'one\n', 'no daemon listening: realized in process');
  assert.notEqual(alone.done.daemon, true);

  const { child, stderr } = await startDaemon(store, socket, { cwd: dir });
  try {
    nextSecond();
    const first = realize();
    assert.equal(first.done.daemon, true, 'the daemon answered');
    const warm = realize();
    assert.equal(warm.done.memo, true, 'nothing changed: the warm memo answered');
    assert.equal(warm.done.daemon, true);
    assert.equal(warm.content, 'one\n');

    // A new file renamed into place, in the imported directory.
    writeFileSync(join(work, 'two'), 'two\n');
    renameSync(join(work, 'two'), join(work, 'src', 'a'));
    const changed = realize();
    assert.notEqual(changed.done.memo, true, 'the change is seen');
    assert.equal(changed.content, 'two\n');

    nextSecond();
    realize();
    assert.equal(realize().done.memo, true, 'warm again');
    writeFileSync(join(work, 'src', 'b'), 'new entry\n');
    assert.notEqual(realize().done.memo, true, 'an entry added to the directory is seen');

    // Forgotten by another process (a reduction removed): not answered from the daemon's memory either.
    nextSecond();
    realize();
    assert.equal(realize().done.memo, true, 'warm again');
    const forgot = nomia(store, ['reductions', '--forget', 'filesystem:import?path=./src'], { cwd: work });
    assert.equal(forgot.code, 0, forgot.err);
    assert.doesNotMatch(forgot.out, /nothing is recorded/);
    assert.notEqual(realize().done.memo, true, 'a memo forgotten in the store is not answered');
  } finally {
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr());
  }
});
