/**
 * store/lstat-numbers.ts: a path's lstat as plain numbers, exact to the
 * nanosecond, equal to what `lstatSync(…, { bigint: true })` says, by
 * whichever way this Node reads them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CTIME_NS, CTIME_S, DEV, INO, lstatNumbers, MODE, MTIME_NS, MTIME_S, SIZE, splitNs } from '../../src/store/lstat-numbers.js';
import { tempDir } from '../support/cli.js';

function expected(path: string): number[] {
  const s = lstatSync(path, { bigint: true });
  return [Number(s.dev), Number(s.ino), Number(s.mode), Number(s.size), ...splitNs(s.mtimeNs), ...splitNs(s.ctimeNs)];
}

function got(path: string): number[] {
  const n = lstatNumbers(path)!;
  return [n[DEV]!, n[INO]!, n[MODE]!, n[SIZE]!, n[MTIME_S]!, n[MTIME_NS]!, n[CTIME_S]!, n[CTIME_NS]!];
}

describe('lstatNumbers', () => {
  test('files with nanosecond mtimes, a symlink and a directory read as lstatSync reads them', () => {
    const dir = tempDir('lstat-numbers');
    const paths: string[] = [];
    // Nanosecond times a millisecond double cannot tell apart (…001 and …002), and one before 1970.
    for (const [i, when] of ['@1700000000.000000001', '@1700000000.000000002', '@1799999999.999999999', '@-1.5'].entries()) {
      const p = join(dir, `f${i}`);
      writeFileSync(p, 'x'.repeat(i));
      execFileSync('touch', ['-h', '-d', when, p]);
      paths.push(p);
    }
    symlinkSync('f0', join(dir, 'link'));
    mkdirSync(join(dir, 'sub'));
    paths.push(join(dir, 'link'), join(dir, 'sub'));
    for (const p of paths) assert.deepEqual(got(p), expected(p), p);
    assert.notDeepEqual(got(paths[0]!).slice(4, 6), got(paths[1]!).slice(4, 6), 'one nanosecond apart is told apart');
  });

  test('a missing path is undefined; any other failure throws as lstatSync does', () => {
    const dir = tempDir('lstat-numbers-missing');
    writeFileSync(join(dir, 'file'), '');
    assert.equal(lstatNumbers(join(dir, 'absent')), undefined);
    assert.throws(() => lstatNumbers(join(dir, 'file', 'below')), /ENOTDIR/);
  });

  test('splitNs gives seconds and nanoseconds as the kernel does (nanoseconds in [0, 1e9))', () => {
    assert.deepEqual(splitNs(1_500_000_000n), [1, 500_000_000]);
    assert.deepEqual(splitNs(-1n), [-1, 999_999_999]);
    assert.deepEqual(splitNs(-1_000_000_000n), [-1, 0]);
    assert.deepEqual(splitNs(1_795_812_513_587_334_945n), [1_795_812_513, 587_334_945]);
  });
});
