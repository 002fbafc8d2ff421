/** `nomia ninja` as CMake's make program sees it, without building anything: its version, its tools, a missing manifest, a toolchain gc removed. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireTool } from '../support/tools.js';
import { ninjaDefaultJobs } from '../../src/cli/edge-build.js';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('cli-ninja');
const store = join(dir, 'store');

describe('nomia ninja on the command line', () => {
  test('--version is the ninja version CMake checks; nomia\'s own --version is unchanged', () => {
    assert.equal(nomia(store, ['ninja', '--version']).out, '1.11.1\n');
    assert.match(nomia(store, ['--version']).out, /^\d+\.\d+\.\d+\n$/);
    assert.notEqual(nomia(store, ['--version']).out, '1.11.1\n');
  });

  test('-j defaults to what ninja runs at once: the processors + 2, 3 on two, 2 on one', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 64].map((n) => ninjaDefaultJobs(n)), [2, 3, 5, 6, 10, 66]);
    const help = nomia(store, ['ninja', '--help']).out.replace(/\s+/g, ' ');
    assert.match(help, new RegExp(`-j, --jobs <n>.*\\(default: ${ninjaDefaultJobs(availableParallelism())}\\)`));
    // The real ninja says its own default for this machine: the same number.
    const ninja = spawnSync('ninja', ['-h'], { encoding: 'utf8' });
    if (ninja.error && process.env['CI'] !== 'true') return;
    assert.match(ninja.stderr + ninja.stdout, new RegExp(`default=${ninjaDefaultJobs()} on this system`));
  });

  test('the tools CMake runs after generating succeed; another tool is refused', () => {
    assert.equal(nomia(store, ['ninja', '-t', 'restat']).code, 0);
    assert.equal(nomia(store, ['ninja', '-t', 'recompact']).code, 0);
    const r = nomia(store, ['ninja', '-t', 'rules']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /no such tool/);
  });

  test('an empty --toolchain (TC=$(…) whose realize failed) is refused, not taken as the default toolchain', () => {
    const empty = join(dir, 'empty-toolchain');
    mkdirSync(empty);
    for (const command of [['ninja', '-C', empty], ['compile-commands', '-p', empty]]) {
      const r = nomia(store, [...command, '--toolchain', '']);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /--toolchain was given an empty name/);
    }
  });

  test('a directory without build.ninja is named, with how to configure', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = nomia(store, ['ninja', '-C', empty]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ninja\/no-manifest/);
    assert.match(r.err, /cmake -S SRC -B BUILD -G Ninja/);
  });

  // Issue 17: it said "has no path /usr/include/…" with a hint to `nomia ls` the toolchain's tree.
  test('a toolchain directory the build names that the toolchain lacks says which package provides it and how to add it', (t) => {
    if (!requireTool(t, 'dpkg-query', 'dpkg')) return;
    const owner = spawnSync('dpkg-query', ['-S', '/usr/include/linux'], { encoding: 'utf8' }).stdout.split(':')[0]!;
    assert.ok(owner, 'a package owns /usr/include/linux (linux-libc-dev, with libc6-dev)');
    const build = join(dir, 'missing-include');
    const toolchain = join(dir, 'bare-toolchain');
    mkdirSync(join(toolchain, 'usr/bin'), { recursive: true });
    writeFileSync(join(toolchain, 'usr/bin/gcc'), '');
    mkdirSync(build);
    writeFileSync(join(build, 'build.ninja'), 'rule cc\n  command = /usr/bin/gcc -I/usr/include/linux -c $in -o $out\n  deps = gcc\nbuild a.o: cc a.c\n');
    writeFileSync(join(build, 'a.c'), 'int a;\n');
    const r = nomia(store, ['ninja', '-C', build, '--toolchain', `filesystem:import?path=${JSON.stringify(toolchain)}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, new RegExp(`error\\[ninja/toolchain-missing-path\\]: the toolchain has no /usr/include/linux, a directory the build names: the package ${owner} provides it on this host \\(dpkg -S\\)`));
    assert.match(r.err, new RegExp(`hint: add ${owner} to the toolchain: nomia ninja --toolchain 'deb:host\\?paths=\\[/usr/bin/gcc\\]&packages=\\[libc6-dev, ${owner}\\]'`));
    assert.doesNotMatch(r.err, /nomia ls/);
  });

  test('an exact toolchain that is not in the store (a gc took it) hints at realizing it again with a root, not at nomia add', () => {
    const build = join(dir, 'gone-toolchain');
    mkdirSync(build);
    writeFileSync(join(build, 'build.ninja'), 'rule cc\n  command = gcc -c $in -o $out\n  deps = gcc\nbuild a.o: cc a.c\n');
    writeFileSync(join(build, 'a.c'), 'int a;\n');
    const r = nomia(store, ['ninja', '-C', build, '--toolchain', `filesystem:by-content?name=deb-root&sha256=${'0'.repeat(64)}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /store\/not-found/);
    assert.match(r.err, /while reading the toolchain every edge runs in/);
    assert.match(r.err, /hint: gc removes a toolchain nothing roots: realize it again with a root/);
    assert.doesNotMatch(r.err, /nomia add PATH/);
  });
  test('-w, -d list and -l are taken as ninja 1.11 takes them; what is not honoured is refused with why', () => {
    const run = (args: string[]) => nomia(store, ['ninja', ...args]);
    const real = (args: string[]) => spawnSync('ninja', args, { encoding: 'utf8' });
    // As ninja: the list on stdout, status 1.
    const wList = run(['-w', 'list']);
    assert.equal(wList.code, 1);
    const theirs = real(['-w', 'list']);
    if (!theirs.error || process.env['CI'] === 'true') assert.equal(wList.out, theirs.stdout);
    const dList = run(['-d', 'list']);
    assert.equal(dList.code, 1);
    assert.match(dList.out, /^debugging modes:\n  stats {8}.*\n  explain {6}.*\n  keepdepfile  refused: .*\n  keeprsp {6}refused: .*\nmultiple modes can be enabled via -d FOO -d BAR\n$/);
    if (!theirs.error || process.env['CI'] === 'true') assert.deepEqual(dList.out.split('\n').map((l) => l.split(/\s+/)[1]), real(['-d', 'list']).stdout.split('\n').map((l) => l.split(/\s+/)[1]), 'the same modes as ninja\'s');
    for (const [args, message] of [
      [['-w', 'foo'], /-w foo: unknown warning flag 'foo'/],
      [['-d', 'foo'], /-d foo: unknown debug setting 'foo'/],
      [['-d', 'keepdepfile'], /-d keepdepfile: not taken by nomia ninja: nomia ninja writes no depfiles/],
      [['-d', 'keeprsp'], /-d keeprsp: not taken by nomia ninja: nomia ninja writes no response files/],
      [['-l', 'x'], /-l x: give the load average above which no new job starts/],
      [['-l', '-1'], /-l -1: give the load average/],
    ] as const) {
      const r = run([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    }
    // Taken: a manifest-less directory then fails for what it is, not for the flags.
    const empty = join(dir, 'flags-empty');
    mkdirSync(empty);
    const taken = run(['-C', empty, '-l', '1.5', '-w', 'dupbuild=err', '-w', 'phonycycle=warn', '-d', 'stats', '-d', 'explain']);
    assert.match(taken.err, /ninja\/no-manifest/, taken.err);
    const help = run(['--help']).out.replace(/\s+/g, ' ');
    for (const flag of ['-l <n>', '-w <flag>', '-d <mode>']) assert.ok(help.includes(flag), flag);
  });
});
