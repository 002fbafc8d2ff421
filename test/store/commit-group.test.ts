/**
 * Committing many finished trees in one transaction (commit-group.ts), as a
 * substitution does: an object may refer to one placed earlier in the same
 * group; one object's failure is its own (its tree goes back to tmp/, the
 * others are registered); what is registered is complete and verifies.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NomiaStoreError } from '../../src/errors.js';
import { tmpName, type CommitRequest } from '../../src/store/commit.js';
import { commitObjects } from '../../src/store/commit-group.js';
import { normalizeTree } from '../../src/store/fs-util.js';
import { hashPath } from '../../src/store/nar.js';
import { objectPath } from '../../src/store/store-path.js';
import { openStore, type Store } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { tempDir } from '../support/cli.js';

/** A finished tree in tmp/ (a file, or a directory with one file), and the request that commits it. */
async function tree(store: Store, name: string, content: string, options: { dir?: boolean; references?: string[] } = {}): Promise<CommitRequest & { path: string }> {
  const t = tmpName(store);
  if (options.dir) {
    mkdirSync(t);
    writeFileSync(join(t, 'f'), content);
  } else {
    writeFileSync(t, content);
  }
  normalizeTree(t);
  const { hash, narSize } = await hashPath(t);
  return { tree: t, hash, narSize, name, path: objectPath(hash, name), ...(options.references ? { references: options.references } : {}) };
}

for (const fsync of [false, true]) {
  test(`a group is registered in one go, references within it included; a failure is its own (fsync ${fsync ? 'on' : 'off'})`, async () => {
    const store = openStore({ dir: tempDir('commit-group'), fsync });
    try {
      const a = await tree(store, 'a', 'first\n');
      const b = await tree(store, 'b', 'refers to a\n', { dir: true, references: [a.path] });
      const lost = objectPath('0'.repeat(64) as never, 'lost');
      const c = await tree(store, 'c', 'refers to nothing registered\n', { references: [lost] });
      const d = await tree(store, 'd', 'last\n');
      const out = commitObjects(store, [a, b, c, d]);
      assert.deepEqual(out.map((o) => o.ok), [true, true, false, true]);
      const failed = out[2]!;
      assert.ok(!failed.ok && failed.error instanceof NomiaStoreError && failed.error.code === 'store/not-found', String(!failed.ok && failed.error));
      // Its tree is back where it was, for its caller to remove; nothing of it is in store/ or the database.
      assert.equal(readFileSync(c.tree, 'utf8'), 'refers to nothing registered\n');
      assert.equal(store.db.object(c.path), undefined);
      assert.deepEqual(readdirSync(store.layout.storeDir).sort(), [a.path, b.path, d.path].sort());
      assert.deepEqual(readdirSync(store.layout.tmpDir), [c.tree.slice(store.layout.tmpDir.length + 1)]);
      for (const r of [a, b, d]) assert.ok(!existsSync(r.tree));
      assert.deepEqual(store.db.references(b.path), [a.path]);
      const v = await verify(store);
      assert.deepEqual(v.issues.filter((i) => i.kind !== 'stale-tmp'), []);
      // The same objects again: found, nothing moved, their trees left to the caller.
      const again = await tree(store, 'a', 'first\n');
      const second = commitObjects(store, [again]);
      assert.ok(second[0]!.ok && !second[0]!.result.added);
      assert.ok(existsSync(again.tree));
    } finally {
      store.close();
    }
  });
}
