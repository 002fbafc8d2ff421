/**
 * Regressions found in review of the store (each failed before its fix).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { removeTree } from '../../src/store/fs-util.js';
import { openStore } from '../../src/store/store.js';
import { emptyTrash } from '../../src/store/trash.js';
import { bin, nomia, tempDir } from '../support/cli.js';

function add(store: string, ...args: string[]): string {
  const r = nomia(store, ['add', ...args]);
  assert.equal(r.code, 0, r.err);
  return r.out.trim();
}

function consistent(store: string): boolean {
  return JSON.parse(nomia(store, ['verify', '--json']).out).consistent;
}

describe('store regressions', () => {
  test('adding (or importing) a directory that holds the store is refused, not copied into itself', () => {
    const dir = tempDir('holds-store');
    writeFileSync(join(dir, 'file'), 'x');
    const store = join(dir, 'store');
    const r = nomia(store, ['add', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[usage\]: cannot add .*: it contains the store/);
    const imp = nomia(store, ['realize', 'filesystem:import?path="."'], { cwd: dir });
    assert.equal(imp.code, 1);
    assert.match(imp.err, /it contains the store/);
  });

  test('an object moved out by a gc that never committed is restored; only committed garbage is deleted', () => {
    const dir = tempDir('trash');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'f'), 'f');
    const name = add(store, join(dir, 'f'), '--root', 'keep');
    const path = nomia(store, ['path', name]).out.trim();
    const entry = path.split('/').pop()!;
    // As if a gc had moved it and died before its commit: the row is still there.
    renameSync(path, join(store, 'trash', `${entry}.pending-abc123`));
    const s = openStore({ dir: store });
    try {
      emptyTrash(s);
      assert.ok(existsSync(join(store, 'trash', `${entry}.pending-abc123`)), 'emptyTrash never deletes what may not be committed');
    } finally {
      s.close();
    }
    nomia(store, ['gc']);
    assert.equal(nomia(store, ['cat', name]).out, 'f');
    assert.ok(consistent(store));
    // Committed garbage (no row) under a pending name is deleted.
    mkdirSync(join(store, 'trash', 'gone.pending-def456'));
    nomia(store, ['gc']);
    assert.deepEqual(readdirSync(join(store, 'trash')), []);
  });

  test('file names that are not UTF-8: add, ls, verify, import and gc work', () => {
    const dir = tempDir('bytes');
    const store = join(dir, 'store');
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const odd = Buffer.concat([Buffer.from(`${src}/sub/`), Buffer.from([0xff, 0x61]), Buffer.from('.txt')]);
    writeFileSync(odd, 'odd');
    const name = add(store, src);
    assert.ok(consistent(store));
    assert.equal(nomia(store, ['ls', '-R', name]).code, 0);
    const nar = execFileSync(process.execPath, [bin, '--store', store, 'dump', name]);
    const imported = nomia(join(dir, 'other'), ['import', '--name', 'src'], { input: nar });
    assert.equal(imported.out.trim(), name, imported.err);
    assert.ok(consistent(join(dir, 'other')));
    const gc = nomia(store, ['gc']);
    assert.equal(gc.code, 0, gc.err);
    assert.deepEqual(readdirSync(join(store, 'store')), []);
  });

  test('re-adding heals an object whose directory was lost', () => {
    const dir = tempDir('heal');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'f'), 'f');
    const name = add(store, join(dir, 'f'));
    removeTree(nomia(store, ['path', name]).out.trim());
    assert.equal(consistent(store), false);
    assert.equal(add(store, join(dir, 'f')), name);
    assert.equal(nomia(store, ['cat', name]).out, 'f');
    assert.ok(consistent(store));
  });

  test('verify --repair keeps the roots of corrupt objects (and the objects registered, issue 12); re-adding heals them', () => {
    const dir = tempDir('roots');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'f'), 'f');
    const name = add(store, join(dir, 'f'), '--root', 'mine');
    const path = nomia(store, ['path', name]).out.trim();
    chmodSync(path, 0o644);
    writeFileSync(path, 'tampered');
    assert.equal(nomia(store, ['verify', '--repair']).code, 1, 'a rooted object is never unregistered: the store stays inconsistent until it is added again');
    assert.notEqual(nomia(store, ['cat', name]).out, 'tampered');
    const roots = JSON.parse(nomia(store, ['roots', '--json']).out) as { name: string }[];
    assert.ok(roots.some((r) => r.name === 'mine'));
    add(store, join(dir, 'f'));
    assert.ok(consistent(store));
    nomia(store, ['gc']);
    assert.equal(nomia(store, ['cat', name]).out, 'f', 'the kept root holds the re-added object');
  });

  test('a path inside an object cannot climb out of it', () => {
    const dir = tempDir('climb');
    const store = join(dir, 'store');
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'f'), 'f');
    const name = add(store, join(dir, 'd'));
    for (const args of [['ls', name, '../..'], ['ls', name, '..'], ['cat', `${nomia(store, ['path', name]).out.trim()}/../../db.sqlite`]]) {
      const r = nomia(store, args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.err, /^error\[usage\]/);
    }
  });

  test('add --root checks the root name', () => {
    const dir = tempDir('rootname');
    writeFileSync(join(dir, 'f'), 'f');
    const r = nomia(join(dir, 'store'), ['add', join(dir, 'f'), '--root', 'a b']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[store\/root\]: "a b" is not a valid root name/);
    assert.deepEqual(readdirSync(join(dir, 'store', 'store')), []);
  });

  test('cat on a symlink to a directory or a dangling one is a clear error', () => {
    const dir = tempDir('links');
    const store = join(dir, 'store');
    mkdirSync(join(dir, 'd', 'sub'), { recursive: true });
    symlinkSync('sub', join(dir, 'd', 'to-dir'));
    symlinkSync('nowhere', join(dir, 'd', 'dangling'));
    const name = add(store, join(dir, 'd'));
    assert.match(nomia(store, ['cat', `${name}/to-dir`]).err, /^error\[usage\]: .* is a symlink to a directory/);
    assert.match(nomia(store, ['cat', `${name}/dangling`]).err, /^error\[store\/not-found\]: .* is a symlink whose target does not exist/);
  });
});
