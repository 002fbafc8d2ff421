/** Splitting object names into package and version as Nix does (store/queries/diff-closures.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitVersion } from '../../../src/store/queries/diff-closures.js';

test('the version starts at the first dash not followed by a letter', () => {
  const table: [string, string, string][] = [
    ['bash-5.2', 'bash', '5.2'],
    ['hello', 'hello', ''],
    ['bootstrap-tools', 'bootstrap-tools', ''],
    ['gcc-wrapper-12.2.0', 'gcc-wrapper', '12.2.0'],
    ['libfoo-1.0-dev', 'libfoo', '1.0-dev'],
    ['python3.11-requests-2.31.0', 'python3.11-requests', '2.31.0'],
    ['x-', 'x-', ''],
    ['nss-3.90_1', 'nss', '3.90_1'],
  ];
  for (const [input, name, version] of table) assert.deepEqual(splitVersion(input), { name, version }, input);
});
