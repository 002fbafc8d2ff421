/** Where the store is by default (src/store/layout.ts, docs/store.md "Where it lives"). */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { storeHome } from '../../src/store/layout.js';
import { tempDir } from '../support/cli.js';

describe('storeHome', () => {
  const dir = tempDir('layout');
  const env = { HOME: join(dir, 'home') };
  const perUser = join(dir, 'home', '.local', 'share', 'nomia');

  test('--store and NOMIA_HOME come first', () => {
    assert.equal(storeHome(join(dir, 'x'), { ...env, NOMIA_HOME: join(dir, 'y') }, join(dir, 'shared')), join(dir, 'x'));
    assert.equal(storeHome(undefined, { ...env, NOMIA_HOME: join(dir, 'y') }, join(dir, 'shared')), join(dir, 'y'));
  });

  test('the shared directory when it can be created, or is there to be written', () => {
    assert.equal(storeHome(undefined, env, join(dir, 'shared')), join(dir, 'shared'));
    mkdirSync(join(dir, 'made'));
    assert.equal(storeHome(undefined, env, join(dir, 'made')), join(dir, 'made'));
  });

  test('the per-user directory when the shared one cannot be had', () => {
    // Its parent is a file: it can be neither created nor written (whoever runs this, root included).
    writeFileSync(join(dir, 'file'), '');
    assert.equal(storeHome(undefined, env, join(dir, 'file', 'nomia')), perUser);
    assert.equal(storeHome(undefined, env, join(dir, 'no', 'parent')), perUser);
    assert.equal(storeHome(undefined, { ...env, XDG_DATA_HOME: join(dir, 'data') }, join(dir, 'file', 'nomia')), join(dir, 'data', 'nomia'));
    // A file where the shared store would be is not a store.
    assert.equal(storeHome(undefined, env, join(dir, 'file')), perUser);
  });
});
