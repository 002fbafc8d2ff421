/**
 * How an add flushes its tree: a small tree of files and directories with
 * an fsync per entry, in-process; a big one, or one holding a symlink, with
 * syncfs through `sync -f`. Told apart by running without `sync` on PATH.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeTree, nomia, tempDir } from '../support/cli.js';

const noSync = { PATH: '/nonexistent', NOMIA_FSYNC: '1' };

describe('flushing an added tree', () => {
  test('a small tree is flushed in-process: no `sync` process is needed', () => {
    const dir = tempDir('sync-small');
    writeFileSync(join(dir, 'one'), 'one file\n');
    mkdirSync(join(dir, 'few/sub'), { recursive: true });
    writeFileSync(join(dir, 'few/a'), 'a');
    writeFileSync(join(dir, 'few/sub/b'), 'b');
    for (const p of ['one', 'few']) {
      const r = nomia(join(dir, 'store'), ['add', join(dir, p)], { env: noSync });
      assert.equal(r.code, 0, r.err);
    }
  });

  test('a big tree, or one with a symlink, takes syncfs (`sync -f`)', () => {
    const dir = tempDir('sync-big');
    makeTree(join(dir, 'big'), 4, 20);
    mkdirSync(join(dir, 'linked'));
    symlinkSync('x', join(dir, 'linked/l'));
    for (const p of ['big', 'linked']) {
      const r = nomia(join(dir, 'store'), ['add', join(dir, p)], { env: noSync });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /cannot flush .*`sync -f` could not run/);
      assert.equal(nomia(join(dir, 'store'), ['add', join(dir, p)], { env: { NOMIA_FSYNC: '1' } }).code, 0);
    }
  });
});
