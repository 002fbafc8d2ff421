/**
 * Finding what an object's content refers to (store/find-references.ts): by
 * looking up each window that could be a hash part, or, for content with
 * more such windows than are worth looking up one by one, against every
 * registered object. Both must find exactly the objects mentioned.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { addPath } from '../../src/store/add.js';
import { findReferences, hashPartIndex } from '../../src/store/find-references.js';
import { HASH_PART_LENGTH, HashPartScanner, hashPart } from '../../src/store/scan.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('find-references');
const store = openStore({ dir: join(dir, 'store'), fsync: false });
after(() => store.db.close());

async function add(name: string, content: string): Promise<string> {
  const src = join(dir, name);
  writeFileSync(src, content);
  return (await addPath(store, src, { name })).object.path;
}

test('every window that could be a hash part is collected, up to a limit', () => {
  const run = 'a'.repeat(HASH_PART_LENGTH) + 'b';
  const s = new HashPartScanner('any');
  s.push(Buffer.from(`x ${run} y`));
  assert.deepEqual([...s.found()].sort(), [run.slice(0, HASH_PART_LENGTH), run.slice(1)].sort());
  assert.equal(s.overflowed, false);
  const small = new HashPartScanner('any', 1);
  small.push(Buffer.from(run));
  assert.equal(small.overflowed, true);
});

test('an object mentioning others refers to them (same content, other names, too), not to itself or to unregistered parts', async () => {
  const a = await add('a', 'first\n');
  const a2 = await add('a2', 'first\n');
  const b = await add('b', 'second\n');
  assert.equal(hashPart(a), hashPart(a2));
  const unknown = 'z'.repeat(HASH_PART_LENGTH);
  const c = await add('c', `see /store/${a} and ${hashPart(b)}-gone, not ${unknown}\n`);
  assert.deepEqual(await findReferences(store, c), [a, a2, b].sort());
  assert.deepEqual(await findReferences(store, c, hashPartIndex(store)), [a, a2, b].sort(), 'the same as against the whole index');
  assert.deepEqual(await findReferences(store, a), []);
});

test('content with more candidate windows than are looked up one by one is scanned against the whole store', async () => {
  const b = await add('b', 'second\n');
  const many = Array.from({ length: 3000 }, (_, i) => i.toString(32).padStart(HASH_PART_LENGTH, 'q')).join('');
  const d = await add('d', `${many}\n${b}\n`);
  const e = await add('e', `${'9'.repeat(5000)}\n`);
  assert.deepEqual(await findReferences(store, d), [b]);
  assert.deepEqual(await findReferences(store, e), []);
});
