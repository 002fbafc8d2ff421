/**
 * deb:root's merge (src/namespaces/deb/root.ts) without the network: the
 * merged tree has the store's normalized metadata as it is made (so its
 * commit skips a pass over every entry), later trees win where two ship one
 * path, and a directory against a file is refused.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { mergeRoot } from '../../src/namespaces/deb/root.js';
import { normalizeTree } from '../../src/store/fs-util.js';
import { tempDir } from '../support/cli.js';

/** Every entry under `root` with its type, permission bits and mtime (s). */
function metadata(root: string, rel = ''): string[] {
  const st = lstatSync(join(root, rel));
  const line = `${rel || '.'} ${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${st.isSymbolicLink() ? '' : (st.mode & 0o7777).toString(8)} ${Math.round(st.mtimeMs / 1000)}`;
  if (!st.isDirectory()) return [line];
  return [line, ...readdirSync(join(root, rel)).sort().flatMap((e) => metadata(root, rel ? `${rel}/${e}` : e))];
}

/** A package tree as the store holds one: normalized. */
function packageTree(dir: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text, { mode: path.includes('bin/') ? 0o755 : 0o644 });
  }
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
  normalizeTree(dir);
  return dir;
}

describe('deb:root merge', () => {
  test('the merged root has the store\'s metadata as made, and the later tree wins a shared path', () => {
    const base = tempDir('deb-root');
    const a = packageTree(join(base, 'a'), { 'usr/bin/sh': 'a', 'usr/share/doc/a/copyright': 'a', 'usr/lib/x86_64-linux-gnu/liba.so.1': 'a' }, { 'usr/bin/ash': 'sh' });
    const b = packageTree(join(base, 'b'), { 'usr/bin/sh': 'b', 'usr/share/doc/b/copyright': 'b', 'etc/b.conf': 'b' });
    const root = join(base, 'root');
    mergeRoot([['a', a], ['b', b]], root);
    const made = metadata(root);
    normalizeTree(root);
    assert.deepEqual(made, metadata(root), 'normalizeTree has nothing left to change');
    assert.equal(lstatSync(join(root, 'usr/bin/sh')).ino, lstatSync(join(b, 'usr/bin/sh')).ino, 'b\'s file, linked');
    assert.equal(readlinkSync(join(root, 'bin')), 'usr/bin');
    assert.equal(readlinkSync(join(root, 'lib')), 'usr/lib');
    assert.equal(readlinkSync(join(root, 'usr/bin/ash')), 'sh');
  });

  test('a directory in one package and a file in another is deb/format naming both', () => {
    const base = tempDir('deb-root');
    const a = packageTree(join(base, 'a'), { 'usr/x/y': 'a' });
    const b = packageTree(join(base, 'b'), { 'usr/x': 'b' });
    assert.throws(() => mergeRoot([['a', a], ['b', b]], join(base, 'root')), (e: NomiaError) => e.code === 'deb/format' && /\/usr\/x is a directory in a and a file in b/.test(e.message));
  });
});
