/**
 * cli/realize-lean.ts: the no-op of `nomia realize` answered before
 * commander and the command modules load. Which command lines it takes (the
 * rest go to the full command), that what it loads stays that small, and
 * that its answers are the full command's.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { leanRealize } from '../../src/cli/realize-lean.js';
import { nomia, tempDir } from '../support/cli.js';
import { loadedWith } from '../support/module-closure.js';

describe('the command lines the lean path takes', () => {
  test('realize with a NAME, - or -f FILE and the options that only change what is printed or kept', () => {
    assert.deepEqual(leanRealize(['realize', 'x:y']), {
      store: undefined, file: undefined, name: 'x:y', sandbox: 'bubblewrap', trustedKeys: [], json: false,
      logFormat: 'auto', root: undefined, outLink: undefined,
    });
    const r = leanRealize(['--store', '/s', 'realize', '--log-format=json', '--json', '-j', '4', '--sandbox', 'none',
      '--trusted-key', 'k1:AA', '--trusted-key', 'k2:BB', '--root', 'r', '-o', 'out', '-f', 'name.nomia']);
    assert.deepEqual(r, {
      store: '/s', file: 'name.nomia', name: undefined, sandbox: 'none', trustedKeys: ['k1:AA', 'k2:BB'], json: true,
      logFormat: 'json', root: 'r', outLink: 'out',
    });
    assert.equal(leanRealize(['realize', '-'])?.name, '-');
    assert.equal(leanRealize(['realize', '-f', '-'])?.file, '-');
    assert.equal(leanRealize(['realize', 'x', '--store=/t'])?.store, '/t');
  });

  test('everything else is the full command\'s', () => {
    const refused: string[][] = [
      ['parse', 'x'], ['realize'].concat(['a', 'b']), ['realize', 'x', '--bind', 'v=x'], ['realize', 'x', '--rebuild'],
      ['realize', 'x', '--check'], ['realize', 'x', '--no-memo'], ['realize', 'x', '--daemon', 's'], ['realize', 'x', '--offline'],
      ['realize', 'x', '--substituter', 'http://127.0.0.1:1'], ['realize', 'x', '-h'], ['realize', '--help'], ['realize', 'x', '-j', '0'],
      ['realize', 'x', '-j4'], ['realize', 'x', '--log-format', 'xml'], ['realize', 'x', '--sandbox', 'chroot'], ['realize', 'x', '--root', 'a b'],
      ['realize', 'x', '--json=1'], ['--json', 'realize', 'x'], ['realize', 'x', '--'], ['realize', 'x', '-f'], ['realize', 'x', '--root', 'a', '--root', 'b'],
      ['-V'], [],
    ];
    for (const argv of refused) assert.equal(leanRealize(argv), undefined, argv.join(' '));
    assert.equal(leanRealize(['realize', 'x'], { NOMIA_DAEMON: '/run/d.sock' }), undefined, 'a configured daemon is asked by the full command');
  });
});

describe('what the lean path loads', () => {
  const loaded = loadedWith;

  test('main.ts loads commander and the command modules only after the lean path', () => {
    assert.deepEqual(loaded('cli/main.js').filter((f) => f === 'commander' || f.startsWith('cli/cmd-')), []);
  });

  test('realize-lean.ts loads no engine beyond the memo, no registry, parser or namespace', () => {
    const mods = loaded('cli/realize-lean.js');
    const allowed = (f: string) => f === 'better-sqlite3' || f === 'errors.js' || f === 'name/limits.js' || f === 'namespace/config.js' ||
      /^engine\/(memo|memo-deps|protect)\.js$/.test(f) || f.startsWith('store/') || f.startsWith('cli/');
    assert.deepEqual(mods.filter((f) => !allowed(f)), []);
    assert.deepEqual(mods.filter((f) => f.startsWith('cli/cmd-') || f === 'cli/realize-run.js' || f === 'cli/hints.js'), []);
  });
});

describe('answers of the lean path', () => {
  test('a NAME argument, -f FILE and --json are answered from the memo as the full command answers them', () => {
    const dir = tempDir('realize-lean');
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'a'), 'one\n');
    writeFileSync(join(work, 'name.nomia'), 'filesystem:import?path=./a');
    const store = join(dir, 'store');
    const run = (args: string[]) => nomia(store, ['realize', '--log-format', 'json', ...args], { cwd: work });
    const memo = (r: { err: string }) => r.err.split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { memo?: boolean }).memo === true);
    const full = run(['--no-memo', 'filesystem:import?path=./a']);
    assert.equal(full.code, 0, full.err);
    // Past the racy second of the file and of the first record.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100 - (Date.now() % 1000));
    for (let i = 0; i < 2; i++) run(['filesystem:import?path=./a']);
    const byArg = run(['filesystem:import?path=./a']);
    assert.ok(memo(byArg), byArg.err);
    assert.equal(byArg.out, full.out);
    const json = run(['--json', 'filesystem:import?path=./a']);
    assert.ok(memo(json), json.err);
    assert.equal(JSON.parse(json.out)[0].name, full.out.split('\n')[0]);
    const byFile = run(['-f', 'name.nomia']);
    assert.ok(memo(byFile), byFile.err);
    assert.equal(byFile.out, full.out);
  });

  test('with pending deprecations on, the no-op warns of nothing (the fs binding is then not used) and still answers', () => {
    const dir = tempDir('realize-lean-deprecation');
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'a'), 'one\n');
    const store = join(dir, 'store');
    const run = () => nomia(store, ['realize', '--log-format', 'json', 'filesystem:import?path=./a'], { cwd: work, env: { NODE_PENDING_DEPRECATION: '1' } });
    assert.equal(run().code, 0);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100 - (Date.now() % 1000));
    for (let i = 0; i < 2; i++) run();
    const r = run();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /"memo":true/);
    assert.doesNotMatch(r.err, /Deprecation/);
  });

  test('an error after the answer began is reported as the full command reports it', () => {
    const dir = tempDir('realize-lean-error');
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'a'), 'one\n');
    const store = join(dir, 'store');
    const run = (args: string[]) => nomia(store, ['realize', '--log-format', 'plain', ...args, 'filesystem:import?path=./a'], { cwd: work });
    assert.equal(run([]).code, 0);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100 - (Date.now() % 1000));
    for (let i = 0; i < 2; i++) run([]);
    mkdirSync(join(work, 'taken'));
    const lean = run(['-o', 'taken']);
    const full = run(['--no-memo', '-o', 'taken']);
    assert.match(lean.err, /answered from the memo/);
    assert.notEqual(lean.code, 0);
    assert.equal(lean.code, full.code);
    const errorOf = (err: string) => err.split('\n').filter((l) => !/^(done|realizing|ready|reused|  )/.test(l)).join('\n');
    assert.equal(errorOf(lean.err), errorOf(full.err));
  });
});
