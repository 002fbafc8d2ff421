/** Object names and object paths (store/store-path.ts): accept/reject tables and the round trip. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { contentHashFromDigest } from '../../src/store/hash.js';
import { checkObjectName, defaultObjectName, isValidObjectName, objectPath, parseObjectPath } from '../../src/store/store-path.js';

describe('object names', () => {
  test('Nix\'s rule: letters, digits and + - . _ ? =, no leading dot, at most 211 characters', () => {
    for (const ok of ['a', 'hello-1.0.tar.gz', 'x_y+z?=1', '-', '0', 'a'.repeat(211)]) assert.ok(isValidObjectName(ok), ok);
    for (const bad of ['', '.hidden', 'a/b', 'a b', 'ü', 'a'.repeat(212), '..', 'a\n']) assert.ok(!isValidObjectName(bad), JSON.stringify(bad));
    assert.equal(checkObjectName('ok'), 'ok');
    assert.throws(() => checkObjectName('a b'), (e: unknown) => e instanceof NomiaError && e.code === 'usage' && /pass --name/.test(e.hint ?? ''));
    assert.equal(defaultObjectName('src'), 'src');
    assert.equal(defaultObjectName('.git'), undefined);
  });
});

describe('object paths', () => {
  const hash = contentHashFromDigest(Buffer.alloc(32, 7));

  test('a path is the base32 hash, a dash and the name; parsing gives both back', () => {
    const path = objectPath(hash, 'name-1.0');
    assert.match(path, /^[0-9abcdfghijklmnpqrsvwxyz]{52}-name-1\.0$/);
    assert.deepEqual(parseObjectPath(path), { hash, name: 'name-1.0' });
  });

  test('entries that are not object paths are refused', () => {
    const good = objectPath(hash, 'x');
    for (const bad of ['x', `${good.slice(0, 51)}-x`, `${good.slice(0, 52)}`, `${good.slice(0, 52)}-`, `${good.slice(0, 52)}-.x`, `e${good.slice(1)}`.replace(/^./, 'e')]) {
      assert.equal(parseObjectPath(bad), undefined, bad);
    }
  });
});
