/**
 * namespaces/cc/store-output.ts: a file a compile or link wrote is found in
 * the store by its content before anything is added. An object, archive or
 * program that came out byte-identical (early cutoff) costs a hash and a
 * lookup, no work directory, copy, fsync or commit: with the store's work
 * area unusable (its tmp/ replaced by a file) such a file is still stored,
 * and a new one is not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RealizeContext } from '../../src/namespace/types.js';
import { storeOutput, wholeObjectName } from '../../src/namespaces/cc/store-output.js';
import { byContentName } from '../../src/resource/names.js';
import { addPath } from '../../src/store/add.js';
import { importPath } from '../../src/store/import-path.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

describe('cc: storing what a tool wrote', () => {
  test('a file already in the store is found without a work directory; a new one is added', async () => {
    const dir = tempDir('cc-store-output');
    const store = openStore({ dir: join(dir, 'store') });
    try {
      const ctx = { store, signal: new AbortController().signal, log: () => undefined } as unknown as RealizeContext;
      const work = join(dir, 'work');
      mkdirSync(work);
      writeFileSync(join(work, 'a.o'), 'object bytes');
      const { object } = await addPath(store, join(work, 'a.o'), { name: 'a.o' });

      // The same bytes written again by a later run (a relink that changed nothing), beside a new file.
      writeFileSync(join(work, 'again.o'), 'object bytes');
      writeFileSync(join(work, 'new.o'), 'other bytes');
      rmSync(store.layout.tmpDir, { recursive: true, force: true });
      writeFileSync(store.layout.tmpDir, 'not a directory');
      const found = await storeOutput(ctx, join(work, 'again.o'), 'a.o');
      assert.equal(found.name, byContentName(object));
      assert.equal(found.kind, 'object');
      await assert.rejects(storeOutput(ctx, join(work, 'new.o'), 'new.o'), 'a new file needs the work area');

      // With the work area back, a new file, and known bytes under another name, are added.
      rmSync(store.layout.tmpDir);
      mkdirSync(store.layout.tmpDir);
      const added = await storeOutput(ctx, join(work, 'new.o'), 'new.o');
      assert.match(added.name, /^filesystem:by-content\?name=new\.o&sha256=/);
      const renamed = await storeOutput(ctx, join(work, 'again.o'), 'b.o');
      assert.notEqual(renamed.name, found.name);
      assert.match(renamed.name, /name=b\.o&/);
    } finally {
      store.close();
    }
  });

  test('a source an import stored is named as storing it again would name it, without reading it; a file in a tree is not', async () => {
    const dir = tempDir('cc-whole-object');
    const store = openStore({ dir: join(dir, 'store') });
    try {
      const ctx = { store, signal: new AbortController().signal, log: () => undefined } as unknown as RealizeContext;
      writeFileSync(join(dir, 'a.c'), 'int a;\n');
      const imported = await importPath(store, join(dir, 'a.c'));
      const path = join(store.layout.storeDir, imported.object.path);
      const named = wholeObjectName(store, path, 'a.c');
      assert.equal(named, (await storeOutput(ctx, path, 'a.c')).name);
      assert.equal(named, byContentName(imported.object));
      assert.equal(wholeObjectName(store, path, 'b.c'), undefined, 'under another name it is another object');
      mkdirSync(join(dir, 'tree'));
      writeFileSync(join(dir, 'tree', 'a.c'), 'int a;\n');
      const tree = await importPath(store, join(dir, 'tree'));
      assert.equal(wholeObjectName(store, join(store.layout.storeDir, tree.object.path, 'a.c'), 'a.c'), undefined, 'a file inside a tree is stored by its own content');
    } finally {
      store.close();
    }
  });
});
