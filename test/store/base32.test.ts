import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBase32, encodeBase32 } from '../../src/store/base32.js';
import { requireTool } from '../support/tools.js';

test('the SHA-256 of the empty string, as Nix prints it', () => {
  const digest = createHash('sha256').update('').digest();
  assert.equal(encodeBase32(digest), '0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73');
});

test('decode inverts encode; wrong length or alphabet is refused', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
    assert.deepEqual(decodeBase32(encodeBase32(bytes), bytes.length), bytes);
  }));
  const s = encodeBase32(new Uint8Array(32).fill(7));
  assert.equal(decodeBase32(s.slice(1), 32), undefined);
  assert.equal(decodeBase32(`e${s.slice(1)}`, 32), undefined, '`e` is not in the alphabet');
});

test('agrees with nix-hash --to-base32 on random digests (Nix is the oracle)', (t) => {
  if (!requireTool(t, 'nix-hash', 'nix-bin')) return;
  const digests = Array.from({ length: 64 }, () => randomBytes(32));
  const out = execFileSync('nix-hash', ['--type', 'sha256', '--to-base32', ...digests.map((d) => d.toString('hex'))], { encoding: 'utf8' });
  assert.deepEqual(out.trim().split('\n'), digests.map(encodeBase32));
});
