/**
 * engine/memo-deps.ts: the memo's dependencies as one buffer. What is kept
 * reads back as it was, and the no-op's check (`depsUnchanged`) sees every
 * kind of change the memo must never answer over, down to one nanosecond.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeDeps, depPaths, depsUnchanged, encodeDeps, storedDep, type PlainKey, type StoredDep } from '../../src/engine/memo-deps.js';
import type { TreeState } from '../../src/store/stat-cache.js';
import { tempDir } from '../support/cli.js';

/** The state of `path` as the stat cache takes it, with a stamp well after its times (not racy). */
function state(path: string): TreeState {
  const root = lstatSync(path, { bigint: true });
  const newestNs = root.mtimeNs > root.ctimeNs ? root.mtimeNs : root.ctimeNs;
  return { path, root, listing: undefined, newestNs, stampNs: newestNs + 10_000_000_000n };
}

/** One file, kept as a plain dependency; `check()` runs the no-op's check on the stored buffer. */
function kept(label: string, content = 'one\n') {
  const dir = tempDir(`memo-deps-${label}`);
  const file = join(dir, 'f');
  writeFileSync(file, content);
  const dep = storedDep(state(file), false);
  assert.equal(typeof dep[1], 'object', 'a file not racy is kept as plain numbers');
  const buf = encodeDeps([dep])!;
  return { dir, file, dep, check: () => depsUnchanged(buf) };
}

describe('the memo dependency buffer', () => {
  test('plain, exact-key, racy and selection dependencies read back as kept, in order', () => {
    const dir = tempDir('memo-deps-roundtrip');
    writeFileSync(join(dir, 'a'), 'a');
    const deps: StoredDep[] = [
      storedDep(state(join(dir, 'a')), false),
      [join(dir, 'racy'), ''],
      [dir, '1 2 3 4 5 6 abcd'],
      [join(dir, 'é ü'), 'k', { files: '\\.h$', skip: ['.git'], stopAt: ['CMakeCache.txt'] }],
    ];
    const buf = encodeDeps(deps)!;
    assert.deepEqual(decodeDeps(buf), deps);
    assert.deepEqual(depPaths(buf), { paths: deps.map((d) => d[0]) });
    assert.deepEqual(decodeDeps(encodeDeps([])!), []);
  });

  test('an unchanged file is unchanged; a racy one never is', () => {
    const { file, check } = kept('same');
    assert.equal(check(), true);
    assert.equal(depsUnchanged(encodeDeps([storedDep(state(file), true)])), false);
  });

  test('content changed keeping size and mtime (touch -d) is seen', () => {
    const { file, check } = kept('touch');
    const before = lstatSync(file);
    writeFileSync(file, 'two\n');
    execFileSync('touch', ['-d', before.mtime.toISOString(), file]);
    assert.equal(check(), false);
  });

  test('a rename over, a mode change, a symlink in its place and a removal are each seen', () => {
    const renamed = kept('rename');
    writeFileSync(join(renamed.dir, 'g'), 'one\n');
    renameSync(join(renamed.dir, 'g'), renamed.file);
    assert.equal(renamed.check(), false);
    const chmodded = kept('chmod');
    chmodSync(chmodded.file, 0o755);
    assert.equal(chmodded.check(), false);
    const linked = kept('symlink');
    rmSync(linked.file);
    symlinkSync('one\n', linked.file);
    assert.equal(linked.check(), false);
    const removed = kept('removed');
    rmSync(removed.file);
    assert.equal(removed.check(), false);
  });

  test('times are compared to the nanosecond: one nanosecond of mtime or ctime differs', () => {
    const { dep } = kept('nanosecond');
    assert.ok(dep[0] !== null);
    const numbers = dep[1] as PlainKey;
    for (const at of [5, 7]) {
      const moved = [...numbers] as number[];
      moved[at] = moved[at]! < 999_999_999 ? moved[at]! + 1 : moved[at]! - 1;
      assert.equal(depsUnchanged(encodeDeps([[dep[0], moved as unknown as PlainKey]])), false, `field ${at}`);
    }
    assert.equal(depsUnchanged(encodeDeps([dep])), true);
  });

  test('what is not such a buffer (an older memo\'s JSON text) never answers', () => {
    const { dep } = kept('old');
    assert.equal(depsUnchanged(JSON.stringify([dep])), false);
    assert.equal(depsUnchanged(Buffer.from('nmd0')), false);
    assert.equal(decodeDeps('[]'), undefined);
  });

  test('a path that UTF-8 cannot carry keeps no memo', () => {
    assert.equal(encodeDeps([['/tmp/\ud800', '']]), undefined);
    assert.equal(encodeDeps([['/tmp/a\0b', '']]), undefined);
  });

  test('the clock reads back, holds before its time and never after, and is not a path to watch', () => {
    const { dep } = kept('clocked');
    const future = Date.now() + 60_000;
    const held = encodeDeps([dep, [null, future]]);
    assert.deepEqual(decodeDeps(held), [dep, [null, future]]);
    assert.equal(depsUnchanged(held), true);
    assert.deepEqual(depPaths(held), { paths: [dep[0]], until: future });
    assert.equal(depsUnchanged(encodeDeps([dep, [null, Date.now() - 1]])), false);
  });
});
