/**
 * Data safety under real use (issue 12): states the store must be able to
 * leave, and errors that must say what happened. Each test failed before
 * its fix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

function add(store: string, ...args: string[]): string {
  const r = nomia(store, ['add', ...args]);
  assert.equal(r.code, 0, r.err);
  return r.out.trim();
}

function verifyReport(store: string): { consistent: boolean; checked: number; issues: { kind: string; path: string; detail: string; leftover: boolean; repaired: boolean }[] } {
  const v = nomia(store, ['verify', '--json']);
  return JSON.parse(v.out);
}

/** A small tmpfs at `mnt`, or a skip where mounting is not allowed (never under CI). */
function mountTmpfs(t: TestContext, mnt: string, size: string): boolean {
  mkdirSync(mnt, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  if (m.status === 0) return true;
  if (process.env['CI'] === 'true') assert.fail(`cannot mount a tmpfs under CI: ${m.stderr}`);
  t.skip('cannot mount a tmpfs here (needs root)');
  return false;
}

/** Fill the file system at `mnt` until `leaveKiB` are free. */
function fill(mnt: string, leaveKiB: number): void {
  const df = spawnSync('df', ['-k', '--output=avail', mnt], { encoding: 'utf8' });
  const avail = Number(df.stdout.trim().split('\n').pop());
  spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=1k', `count=${Math.max(0, avail - leaveKiB)}`], { stdio: 'ignore' });
}

describe('a full disk', () => {
  test('is store/no-space with a hint to free space, for verify and add, never "restore the database from a backup"', (t) => {
    const dir = tempDir('full-db');
    const mnt = join(dir, 'mnt');
    if (!mountTmpfs(t, mnt, '1m')) return;
    try {
      const store = join(mnt, 'store');
      writeFileSync(join(dir, 'a'), 'a');
      add(store, join(dir, 'a'));
      fill(mnt, 0);
      for (const args of [['verify'], ['gc'], ['roots']]) {
        const r = nomia(store, args);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.err, /^error\[store\/no-space\]/, `${args.join(' ')}: ${r.err}`);
        assert.match(r.err, /hint: free some space/);
        assert.doesNotMatch(r.err, /backup|corrupt/);
      }
      rmSync(join(mnt, 'fill'));
      assert.equal(verifyReport(store).consistent, true);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  test('an add that runs out of space at any step, even at the database commit, leaves nothing in store/', (t) => {
    const dir = tempDir('full-commit');
    const mnt = join(dir, 'mnt');
    if (!mountTmpfs(t, mnt, '1m')) return;
    try {
      const store = join(mnt, 'store');
      writeFileSync(join(dir, 'a'), 'a');
      add(store, join(dir, 'a'));
      let failures = 0;
      // From nothing free to enough: somewhere in between the copy fits and the commit does not.
      for (let free = 0; free <= 96; free += 4) {
        writeFileSync(join(dir, 'b'), `b${free}`);
        fill(mnt, free);
        const r = nomia(store, ['add', join(dir, 'b')]);
        rmSync(join(mnt, 'fill'));
        if (r.code !== 0) {
          failures++;
          assert.match(r.err, /^error\[store\/no-space\]/, r.err);
        }
        const report = verifyReport(store);
        assert.equal(report.consistent, true);
        assert.deepEqual(report.issues.filter((i) => i.kind === 'unregistered'), [], `free ${free} KiB: ${r.err}`);
        assert.equal(readdirSync(join(store, 'store')).length, report.checked);
      }
      assert.ok(failures > 0, 'some adds ran out of space');
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('odd sources', () => {
  test('a symlink loop is stored as the link it is (as nix-store --add does); a path through a loop is a clear store/io error', () => {
    const dir = tempDir('loop');
    const store = join(dir, 'store');
    symlinkSync('loop', join(dir, 'loop'));
    const name = add(store, join(dir, 'loop'));
    assert.equal(readlinkSync(nomia(store, ['path', name]).out.trim()), 'loop');
    const r = nomia(store, ['add', join(dir, 'loop', 'x')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[store\/io\]: cannot add .*loop\/x: its path passes through a loop of symbolic links/);
    assert.doesNotMatch(r.err, /internal error/);
  });

  test('a procfs file, whose size reads 0, is stored with its contents', () => {
    const store = join(tempDir('procfs'), 'store');
    const name = add(store, '/proc/self/status');
    assert.match(nomia(store, ['cat', name]).out, /^Name:\t/m);
    assert.equal(verifyReport(store).consistent, true);
  });
});

describe('verify --repair and roots', () => {
  test('a corrupt or missing object that a root holds stays registered with its root, is reported as an error naming the root, and a re-add heals it', () => {
    const dir = tempDir('repair-root');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'lib'), 'lib');
    writeFileSync(join(dir, 'tool'), 'tool');
    const lib = add(store, join(dir, 'lib'));
    const libPath = nomia(store, ['path', lib]).out.trim();
    // `tool` is rooted and refers to `lib`: both are held.
    const tool = add(store, join(dir, 'tool'), '--root', 'keep', '--reference', libPath);
    const toolPath = nomia(store, ['path', tool]).out.trim();
    chmodSync(toolPath, 0o644);
    writeFileSync(toolPath, 'tampered');
    chmodSync(toolPath, 0o444);
    rmSync(libPath);
    const r = nomia(store, ['verify', '--repair', '--json']);
    assert.equal(r.code, 1, 'the store stays inconsistent until the objects are added again');
    const issues = JSON.parse(r.out).issues as { kind: string; detail: string; repaired: boolean }[];
    const corrupt = issues.find((i) => i.kind === 'corrupt')!;
    assert.equal(corrupt.repaired, false);
    assert.match(corrupt.detail, /its content was removed; held by keep, so it stays registered .*add it again/);
    assert.match(issues.find((i) => i.kind === 'missing')!.detail, /held by keep/);
    assert.deepEqual(issues.filter((i) => i.kind === 'dangling-root' || i.kind === 'dangling-reference'), []);
    const cat = nomia(store, ['cat', tool]);
    assert.notEqual(cat.out, 'tampered', 'wrong bytes are never served');
    assert.match(nomia(store, ['roots']).out, /keep/);
    add(store, join(dir, 'lib'));
    add(store, join(dir, 'tool'));
    assert.equal(verifyReport(store).consistent, true);
    assert.equal(nomia(store, ['cat', tool]).out, 'tool');
    nomia(store, ['gc']);
    assert.equal(nomia(store, ['cat', lib]).out, 'lib', 'the reference was kept too');
  });
});
