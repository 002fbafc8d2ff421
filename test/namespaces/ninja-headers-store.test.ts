/**
 * `ninja:headers` and `ninja:files` of a project that holds the store
 * (`NOMIA_HOME` inside the source directory) are refused, as an import of
 * such a directory is: before, the walk copied the store's own temporary
 * tree into itself, and a no-op build never stat-ed the same twice.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

describe('a header tree that holds the store', () => {
  const project = join(tempDir('ninja-headers-store'), 'project');
  mkdirSync(join(project, 'include'), { recursive: true });
  writeFileSync(join(project, 'include', 'a.h'), '#define A 1\n');

  for (const id of ['headers', 'files']) {
    test(`ninja:${id} of a directory holding the store is a usage error naming the store`, () => {
      const inside = join(project, '.nomia-store');
      const r = nomia(inside, ['realize', `ninja:${id}?path=${project}`]);
      assert.notEqual(r.code, 0, r.out);
      assert.match(r.err, /contains the store/);
      assert.match(r.err, /keep the store elsewhere/);
    });
  }

  test('a directory beside the store, and one below the project, are taken', () => {
    const r = nomia(join(project, '.nomia-store'), ['realize', `ninja:headers?path=${join(project, 'include')}`]);
    assert.equal(r.code, 0, r.err);
  });
});
