/**
 * The memo of whole names (engine/memo.ts, issue 14): a no-op realize is
 * answered from it, and it is never stale. Each case primes a memo (a
 * realize whose stats are no longer racy, then one answered from the memo),
 * changes one thing the name depends on, and checks that the next realize
 * is not answered from the memo and sees the change.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';

type Done = Extract<EngineEvent, { kind: 'done' }>;

interface Result { out: string; done: Done; code: number | null; err: string }

function realize(store: string, cwd: string, name: string, extra: string[] = [], env: Record<string, string> = {}): Result {
  const r = nomia(store, ['realize', '--log-format', 'json', ...extra, '-'], { cwd, input: name, env });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  return { out: r.out, done: events.find((e): e is Done => e.kind === 'done')!, code: r.code, err: r.err };
}

/** Realize until the memo answers (a racy first record is re-taken once); the memo's answer. */
function primed(store: string, cwd: string, name: string, env: Record<string, string> = {}): Result {
  nextSecond();
  const full = realize(store, cwd, name, [], env);
  assert.equal(full.code, 0, full.err);
  const memo = realize(store, cwd, name, [], env);
  assert.equal(memo.code, 0, memo.err);
  assert.equal(memo.done.memo, true, `the second realize with nothing changed is answered from the memo:\n${memo.err}`);
  assert.equal(memo.out, full.out, 'the memo answers what the realize printed');
  return memo;
}

/** The content of the (single) result path printed by realize. */
const content = (r: Result) => readFileSync(r.out.trim().split('\n')[1]!, 'utf8');

const CAT = (path: string) => `exec:run?args=[sh, -c, "ls -l $in >/dev/null; cat $in > $out 2>/dev/null || ls $in > $out"](in: filesystem:import?path=${path})`;

function project(label: string) {
  const dir = tempDir(`memo-${label}`);
  const work = join(dir, 'work');
  mkdirSync(join(work, 'src'), { recursive: true });
  return { store: join(dir, 'store'), work };
}

describe('the memo of whole names', () => {
  test('a no-op is answered from the memo, with the same output, done event and out-link', () => {
    const { store, work } = project('noop');
    writeFileSync(join(work, 'src', 'a'), 'one\n');
    const name = CAT('./src/a');
    const first = realize(store, work, name);
    assert.equal(first.code, 0, first.err);
    assert.notEqual(first.done.memo, true);
    const memo = primed(store, work, name);
    assert.equal(memo.done.ran, 0);
    assert.deepEqual(memo.done.roots, first.done.roots);
    const linked = realize(store, work, name, ['-o', join(work, 'result')]);
    assert.equal(linked.done.memo, true);
    assert.equal(readFileSync(join(work, 'result'), 'utf8'), 'one\n', 'the out-link is made from the memo\'s answer');
  });

  test('a racy dependency is not trusted: a file stamped in the second its stats were taken, or later, is checked again', () => {
    const { store, work } = project('racy');
    const file = join(work, 'src', 'a');
    writeFileSync(file, 'later\n');
    // An mtime ahead of the clock is what a write in the same second as the stats looks like, whatever the load.
    const ahead = new Date(Date.now() + 3600_000);
    utimesSync(file, ahead, ahead);
    const name = CAT('./src/a');
    nextSecond();
    assert.equal(realize(store, work, name).code, 0);
    const again = realize(store, work, name);
    assert.equal(again.code, 0, again.err);
    assert.notEqual(again.done.memo, true, 'a memo with a racy dependency does not answer');
  });

  test('content changed keeping size and mtime (touch -d) re-realizes', () => {
    const { store, work } = project('touch');
    const file = join(work, 'src', 'a');
    writeFileSync(file, 'aaaa\n');
    utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const name = CAT('./src/a');
    primed(store, work, name);
    writeFileSync(file, 'bbbb\n');
    utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const r = realize(store, work, name);
    assert.notEqual(r.done.memo, true);
    assert.equal(content(r), 'bbbb\n');
  });

  test('a file replaced by rename, a mode change and a file swapped for a symlink each re-realize', () => {
    const { store, work } = project('replace');
    const file = join(work, 'src', 'a');
    writeFileSync(file, 'first\n');
    const name = `exec:run?args=[sh, -c, "cat $in > $out; test -x $in && echo x >> $out; test -L $in && echo link >> $out; true"](in: filesystem:import?path=./src/a)`;
    primed(store, work, name);

    writeFileSync(join(work, 'other'), 'renamed\n');
    renameSync(join(work, 'other'), file);
    let r = realize(store, work, name);
    assert.notEqual(r.done.memo, true, 'rename');
    assert.equal(content(r), 'renamed\n');

    primed(store, work, name);
    chmodSync(file, 0o755);
    r = realize(store, work, name);
    assert.notEqual(r.done.memo, true, 'chmod');
    assert.equal(content(r), 'renamed\nx\n');

    primed(store, work, name);
    writeFileSync(join(work, 'target'), 'renamed\n');
    unlinkSync(file);
    symlinkSync(join(work, 'target'), file);
    assert.ok(lstatSync(file).isSymbolicLink());
    r = realize(store, work, name);
    assert.notEqual(r.done.memo, true, 'file → symlink');
    assert.match(content(r), /link/);
  });

  test('an entry added to or removed from an imported directory re-realizes', () => {
    const { store, work } = project('dir');
    writeFileSync(join(work, 'src', 'a'), 'a\n');
    mkdirSync(join(work, 'src', 'sub'));
    writeFileSync(join(work, 'src', 'sub', 'b'), 'b\n');
    const name = 'exec:run?args=[sh, -c, "cd $in && find . | sort > $out"](in: filesystem:import?path=./src)';
    primed(store, work, name);
    writeFileSync(join(work, 'src', 'sub', 'c'), '');
    let r = realize(store, work, name);
    assert.notEqual(r.done.memo, true, 'added');
    assert.match(content(r), /\.\/sub\/c/);
    primed(store, work, name);
    rmSync(join(work, 'src', 'sub', 'b'));
    r = realize(store, work, name);
    assert.notEqual(r.done.memo, true, 'removed');
    assert.doesNotMatch(content(r), /\.\/sub\/b/);
  });

  test('the same text from another working directory is not answered from the memo', () => {
    const { store, work } = project('cwd');
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(join(elsewhere, 'src'), { recursive: true });
    writeFileSync(join(work, 'src', 'a'), 'here\n');
    writeFileSync(join(elsewhere, 'src', 'a'), 'there\n');
    const name = 'filesystem:import?path=./src/a';
    primed(store, work, name);
    const there = realize(store, elsewhere, name);
    assert.equal(there.code, 0, there.err);
    assert.notEqual(there.done.memo, true);
    assert.equal(content(there), 'there\n');
  });

  test('a changed namespace configuration (nomia.json) is not answered from the memo', () => {
    const { store, work } = project('config');
    writeFileSync(join(work, 'src', 'a'), 'here\n');
    writeFileSync(join(work, 'nomia.json'), JSON.stringify({ namespaces: { fs: { builtin: 'filesystem' } } }));
    const name = 'fs:import?path=./src/a';
    primed(store, work, name);
    writeFileSync(join(work, 'nomia.json'), JSON.stringify({ namespaces: { fs: { builtin: 'context' } } }));
    const reconfigured = realize(store, work, name);
    assert.notEqual(reconfigured.done?.memo, true);
    assert.notEqual(reconfigured.code, 0, '`fs` is now the context namespace, which has no `import`');
  });

  test('whom results are taken from is part of the key: other trusted keys or another trust setting are not answered from the memo', () => {
    const { store, work } = project('trust');
    writeFileSync(join(work, 'src', 'a'), 'trust\n');
    const name = CAT('./src/a');
    primed(store, work, name);
    const key = 'team-1:' + Buffer.alloc(32, 7).toString('base64');
    const withKey = realize(store, work, name, ['--trusted-key', key]);
    assert.equal(withKey.code, 0, withKey.err);
    assert.notEqual(withKey.done.memo, true, 'a key trusted for this command only changes what the realize may follow');
    writeFileSync(join(work, 'nomia.json'), JSON.stringify({ 'trusted-public-keys': [key] }));
    const projectTrust = realize(store, work, name);
    assert.equal(projectTrust.code, 0, projectTrust.err);
    assert.notEqual(projectTrust.done.memo, true, 'nomia.json now trusts a key');
  });

  test('a contextual node that does not declare its context is never memoized; a result gone from the store is realized again', () => {
    const { store, work } = project('undeclared');
    const name = 'context:env?var=MEMO_TEST';
    nextSecond();
    realize(store, work, name, [], { MEMO_TEST: 'one' });
    const again = realize(store, work, name, [], { MEMO_TEST: 'two' });
    assert.notEqual(again.done.memo, true);
    assert.match(again.out, /two/);

    writeFileSync(join(work, 'src', 'a'), 'kept\n');
    const file = CAT('./src/a');
    primed(store, work, file);
    assert.equal(nomia(store, ['gc']).code, 0);
    const gone = realize(store, work, file);
    assert.equal(gone.code, 0, gone.err);
    assert.notEqual(gone.done.memo, true);
  });
});
