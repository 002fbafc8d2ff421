/**
 * `removeInBackground` removes what it is given, whatever it is: an empty
 * work directory (tried first, with one rmdir), a tree of files (after that
 * rmdir is refused), a path already gone; and never rejects.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeInBackground } from '../../src/store/background.js';
import { tempDir } from '../support/cli.js';

test('an empty directory, a tree of files and a missing path are all removed without a rejection', async () => {
  const dir = tempDir('background-removal');
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  writeFileSync(join(tree, 'a', 'b', 'file'), 'x');
  writeFileSync(join(tree, 'top'), 'y');
  await Promise.all([removeInBackground(empty), removeInBackground(tree), removeInBackground(join(dir, 'missing'))]);
  assert.equal(existsSync(empty), false);
  assert.equal(existsSync(tree), false);
});
