/** The store database (store/database.ts) and closures over it (store/closure.ts), on a real SQLite file. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closure } from '../../src/store/closure.js';
import { contentHashFromDigest } from '../../src/store/hash.js';
import { objectPath } from '../../src/store/store-path.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const store = openStore({ dir: join(tempDir('database'), 'store'), fsync: false });
after(() => store.close());

/** Register an object `name` (hash from its first byte) referring to `refs`; its path. */
function object(name: string, refs: string[] = []): string {
  const hash = contentHashFromDigest(Buffer.alloc(32, name.charCodeAt(0)));
  const path = objectPath(hash, name);
  store.db.immediate(() => store.db.insertObject({ path, hash, name, narSize: 1, addedAt: 0 }, refs));
  return path;
}

describe('the store database', () => {
  test('reductions: newest first, one row per emitting namespace, replaced by a later one', () => {
    const put = (namespace: string, to: string, createdAt: number) => store.db.putReduction({ from: 'nomia1-x', namespace, to, kind: 'realized', createdAt });
    put('builtin:a@1', 'first', 1);
    put('builtin:b@1', 'second', 2);
    assert.deepEqual(store.db.reductionsFrom('nomia1-x').map((r) => r.to), ['second', 'first']);
    put('builtin:a@1', 'third', 3);
    assert.deepEqual(store.db.reductionsFrom('nomia1-x').map((r) => [r.namespace, r.to]), [['builtin:a@1', 'third'], ['builtin:b@1', 'second']]);
    assert.deepEqual(store.db.reductionsFrom('nomia1-none'), []);
  });

  test('references and the closure: transitive, each object once, sorted; cycles end', () => {
    const c = object('c');
    const b = object('b', [c]);
    const a = object('a', [b, c]);
    assert.deepEqual(store.db.references(a).sort(), [b, c].sort());
    assert.deepEqual(store.db.referrers(c).sort(), [a, b].sort());
    assert.deepEqual(closure(store, [a]), [a, b, c].sort());
    assert.deepEqual(closure(store, [c]), [c]);
    const self = object('s');
    store.db.immediate(() => store.db.deleteObject(self));
    const s = object('s', [objectPath(contentHashFromDigest(Buffer.alloc(32, 's'.charCodeAt(0))), 's')]);
    assert.deepEqual(closure(store, [s]), [s], 'a self-reference ends');
  });

  test('deleting an object drops its references', () => {
    const d = object('d');
    const e = object('e', [d]);
    store.db.immediate(() => store.db.deleteObject(e));
    assert.equal(store.db.object(e), undefined);
    assert.deepEqual(store.db.referrers(d), []);
  });
});
