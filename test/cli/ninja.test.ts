/** `nomia ninja` as CMake's make program sees it, without building anything: its version, its tools, a missing manifest. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';

const dir = tempDir('cli-ninja');
const store = join(dir, 'store');

describe('nomia ninja on the command line', () => {
  test('--version is the ninja version CMake checks; nomia\'s own --version is unchanged', () => {
    assert.equal(nomia(store, ['ninja', '--version']).out, '1.11.1\n');
    assert.match(nomia(store, ['--version']).out, /^\d+\.\d+\.\d+\n$/);
    assert.notEqual(nomia(store, ['--version']).out, '1.11.1\n');
  });

  test('the tools CMake runs after generating succeed; another tool is refused', () => {
    assert.equal(nomia(store, ['ninja', '-t', 'restat']).code, 0);
    assert.equal(nomia(store, ['ninja', '-t', 'recompact']).code, 0);
    const r = nomia(store, ['ninja', '-t', 'graph']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /no such tool/);
  });

  test('a directory without build.ninja is named, with how to configure', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = nomia(store, ['ninja', '-C', empty]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ninja\/no-manifest/);
    assert.match(r.err, /cmake -S SRC -B BUILD -G Ninja/);
  });
});
