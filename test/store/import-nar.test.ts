/**
 * `importNar` (import-export.ts), the import a substitution runs per object:
 * restored straight into a tmp/ name with the store's metadata, checked,
 * committed; nothing is left in tmp/ when it settles, whether the object is
 * added, was there already, or is refused.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NomiaStoreError } from '../../src/errors.js';
import { importNar } from '../../src/store/import-export.js';
import { dumpPath, hashPath } from '../../src/store/nar.js';
import { objectPath } from '../../src/store/store-path.js';
import { openStore } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { tempDir } from '../support/cli.js';

test('an object is imported with the store\'s metadata; again, it is found; refused bytes are said against their claim; tmp/ stays empty', async () => {
  const dir = tempDir('import-nar');
  const src = join(dir, 'src');
  mkdirSync(join(src, 'bin'), { recursive: true });
  writeFileSync(join(src, 'bin', 'tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  writeFileSync(join(src, 'data'), 'data\n');
  const chunks: Buffer[] = [];
  await dumpPath(src, (c) => chunks.push(Buffer.from(c)));
  const { hash } = await hashPath(src);
  const item = { path: objectPath(hash, 'tree'), name: 'tree', hash, references: [] };
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  try {
    const first = await importNar(store, item, chunks);
    assert.equal(first.added, true);
    assert.deepEqual(readdirSync(store.layout.tmpDir), []);
    // Restored with the store's metadata: verify finds nothing to normalize.
    assert.deepEqual((await verify(store)).issues, []);
    const again = await importNar(store, item, chunks);
    assert.equal(again.added, false);
    assert.deepEqual(readdirSync(store.layout.tmpDir), [], 'the copy not needed is left in tmp/');
    const other = { ...item, hash: 'f'.repeat(64), path: objectPath('f'.repeat(64) as never, 'tree') };
    await assert.rejects(importNar(store, other, chunks, { claimedBy: 'the signed record' }), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError && e.code === 'nar/corrupt', String(e));
      assert.match(e.message, new RegExp(`has the hash ${hash}, not the f{64} the signed record gives$`));
      return true;
    });
    assert.deepEqual(readdirSync(store.layout.tmpDir), []);
    assert.equal(store.db.object(other.path), undefined);
  } finally {
    store.close();
  }
});
