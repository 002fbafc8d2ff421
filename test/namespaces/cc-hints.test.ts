/**
 * A compile's hint (src/namespaces/cc/hints.ts) keeps the digests of the bytes the compile read
 * (`ReadOnce`, read-once.ts), not of the files read again afterwards: the source and the headers are
 * read once per compile. The hint then guesses right for those bytes and wrong for any others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepHint, likelyRecorded } from '../../src/namespaces/cc/hints.js';
import { ReadOnce } from '../../src/namespaces/cc/read-once.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

test('a hint keeps the digests of the bytes the compile read, without reading the files again', () => {
  const dir = tempDir('cc-hints');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  const tree = join(dir, 'include');
  mkdirSync(tree);
  const src = join(dir, 'a.c');
  const header = join(tree, 'a.h');
  writeFileSync(src, '#include "a.h"\nint a = A;\n');
  writeFileSync(header, '#define A 1\n');
  const module = { toolchain: 'tc', args: ['-O2'], trees: 1, source: 'a.c' };
  const files = new ReadOnce();
  assert.equal(files.bytes(header).toString(), '#define A 1\n');
  files.bytes(src);
  // The files change after the compile read them: the hint is about what the compile saw.
  writeFileSync(src, 'int a = 2;\n');
  writeFileSync(header, '#define A 2\n');
  keepHint(store, module, join(dir, 'no-toolchain'), src, [tree], [{ tree: 0, path: 'a.h' }], [], files);
  assert.equal(likelyRecorded(store, module, src, [tree]), false, 'the files as they are now were not compiled');
  writeFileSync(src, '#include "a.h"\nint a = A;\n');
  assert.equal(likelyRecorded(store, module, src, [tree]), false, 'the header as it is now was not compiled');
  writeFileSync(header, '#define A 1\n');
  assert.equal(likelyRecorded(store, module, src, [tree]), true, 'the bytes the compile read are recognized');
  store.close();
});
