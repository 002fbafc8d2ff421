/** `nomia realize -f FILE`: names kept in files (and `-f -` for stdin), through the real CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { startDaemon } from '../support/daemon.js';

describe('realize -f', () => {
  const dir = tempDir('realize-file');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'x content\n');
  const name = 'let s = filesystem:import?path="./x"\nin exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $s)\n';
  writeFileSync(join(dir, 'upper.nomia'), name);

  test('reads the name from FILE, as if it were the argument', () => {
    const fromFile = nomia(store, ['realize', '--log-format', 'plain', '-f', 'upper.nomia'], { cwd: dir });
    assert.equal(fromFile.code, 0, fromFile.err);
    const fromArg = nomia(store, ['realize', '--log-format', 'plain', name], { cwd: dir });
    assert.equal(fromArg.code, 0, fromArg.err);
    assert.equal(fromFile.out, fromArg.out);
    assert.match(fromFile.out, /^filesystem:by-content\?name=out&sha256=[0-9a-f]{64}\n/);
  });

  test('--file - and -f - read standard input', () => {
    for (const flag of ['-f', '--file']) {
      const r = nomia(store, ['realize', '--log-format', 'plain', flag, '-'], { cwd: dir, input: name });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, nomia(store, ['realize', '--log-format', 'plain', '-f', 'upper.nomia'], { cwd: dir }).out);
    }
  });

  test('an error in the file points at its line and column in FILE', () => {
    writeFileSync(join(dir, 'broken.nomia'), 'let a = filesystem:import?path="./x"\nin exec:run?args=[sh](in: $a ]\n');
    const r = nomia(store, ['realize', '-f', 'broken.nomia'], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /--> broken\.nomia:2:\d+/);
  });

  test('a missing file, and a file with a NAME argument too, are usage errors', () => {
    const missing = nomia(store, ['realize', '-f', 'nope.nomia'], { cwd: dir });
    assert.match(missing.err, /error\[usage\]: cannot read nope\.nomia: no such file/);
    const both = nomia(store, ['realize', '-f', 'upper.nomia', 'context:value?v=1'], { cwd: dir });
    assert.match(both.err, /error\[usage\]: give the name either as an argument or with -f upper\.nomia, not both/);
  });

  test('help shows the option', () => {
    assert.match(nomia(store, ['realize', '--help']).out, /-f, --file <file>/);
  });
});

describe('realize -f: relative paths start at the file\'s directory, as in a .nix file', () => {
  /** A working directory and a subdirectory, each with its own `x`; the name file in the subdirectory imports `./x`. */
  function project(prefix: string) {
    const dir = tempDir(prefix);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(dir, 'x'), 'x of the working directory\n');
    writeFileSync(join(sub, 'x'), 'x beside the file\n');
    writeFileSync(join(sub, 'build.nomia'), 'filesystem:import?path=./x'); // no newline: the same text as the argument
    return { dir, store: join(dir, 'store') };
  }
  const contents = (r: { code: number | null; out: string; err: string }) => {
    assert.equal(r.code, 0, r.err);
    return readFileSync(r.out.trim().split('\n')[1]!, 'utf8');
  };

  test('-f sub/FILE imports sub/x; -f - and the argument import the working directory\'s x; a symlink to the file is followed', () => {
    const { dir, store } = project('realize-file-dir');
    assert.equal(contents(nomia(store, ['realize', '-f', 'sub/build.nomia'], { cwd: dir })), 'x beside the file\n');
    assert.equal(contents(nomia(store, ['realize', '-f', '-'], { cwd: dir, input: 'filesystem:import?path=./x' })), 'x of the working directory\n');
    // A pipe named as a file (`-f <(…)`) has no directory of its own (its /proc link is `pipe:[…]`).
    const piped = spawnSync('bash', ['-c', `"$0" "$1" --store "$2" realize -f <(printf %s 'filesystem:import?path=./x')`, process.execPath, bin, store], { cwd: dir, env: env(), encoding: 'utf8' });
    assert.equal(contents({ code: piped.status, out: piped.stdout, err: piped.stderr }), 'x of the working directory\n');
    symlinkSync('sub/build.nomia', join(dir, 'link.nomia'));
    assert.equal(contents(nomia(store, ['realize', '-f', 'link.nomia'], { cwd: dir })), 'x beside the file\n');
  });

  test('the memo keys each realize by its own base directory: the same text from a file and as an argument never answer for each other', () => {
    const { dir, store } = project('realize-file-memo');
    const text = 'filesystem:import?path=./x';
    // Into the next second of the clock: the files just written are then not racy (stat-cache.ts), and the first memo answers.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1020 - (Date.now() % 1000));
    assert.equal(contents(nomia(store, ['realize', '-f', 'sub/build.nomia'], { cwd: dir })), 'x beside the file\n');
    const memo = nomia(store, ['realize', '--log-format', 'json', '-f', 'sub/build.nomia'], { cwd: dir });
    assert.equal(contents(memo), 'x beside the file\n');
    assert.ok(memo.err.split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { memo?: boolean }).memo === true), 'the memo of the file\'s realize answers');
    // The same text, in the same working directory, as an argument: a key without the base directory would find that memo.
    assert.equal(contents(nomia(store, ['realize', text], { cwd: dir })), 'x of the working directory\n');
    assert.equal(contents(nomia(store, ['realize', '-f', 'sub/build.nomia'], { cwd: dir })), 'x beside the file\n');
  });

  test('through a daemon, the file\'s directory is the context sent', async () => {
    const { dir, store } = project('realize-file-daemon');
    const socket = join(dir, 'd.sock');
    const { child } = await startDaemon(store, socket, { env: { NOMIA_FSYNC: '0' }, cwd: dir });
    try {
      const r = nomia(store, ['realize', '--log-format', 'json', '--daemon', socket, '-f', 'sub/build.nomia'], { cwd: dir });
      assert.ok(r.err.split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { kind: string; daemon?: boolean }).daemon === true), 'the daemon answered');
      assert.equal(contents(r), 'x beside the file\n');
      assert.equal(contents(nomia(store, ['realize', '--daemon', socket, 'filesystem:import?path=./x'], { cwd: dir })), 'x of the working directory\n');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
