/**
 * Content hashes: every accepted spelling parses back to the same hash, the
 * conversions agree with Nix's, and anything else is refused clearly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { NomiaStoreError } from '../../src/errors.js';
import {
  contentHashFromDigest, digestOf, parseContentHash, toBase32, toHex, toSri, tryParseContentHash,
} from '../../src/store/hash.js';
import { requireTool } from '../support/tools.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const digest32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

test('the empty string, in every form', () => {
  const h = contentHashFromDigest(createHash('sha256').update('').digest());
  assert.equal(toHex(h), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(toBase32(h), '0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73');
  assert.equal(toSri(h), 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
});

test('every form parses back to the same hash (lowercase hex)', () => {
  fc.assert(
    fc.property(digest32, (d) => {
      const h = contentHashFromDigest(d);
      assert.match(h, /^[0-9a-f]{64}$/);
      assert.deepEqual(new Uint8Array(digestOf(h)), d);
      const forms = [
        toHex(h), toHex(h).toUpperCase(), toBase32(h), toSri(h), `sha256:${toHex(h)}`, `sha256:${toHex(h).toUpperCase()}`,
        `sha256:${toBase32(h)}`,
      ];
      for (const f of forms) {
        assert.equal(parseContentHash(f), h, f);
        assert.equal(tryParseContentHash(f), h, f);
      }
    }),
  );
});

test('a digest view into a larger buffer is read at its offset', () => {
  const big = randomBytes(100);
  const view = big.subarray(10, 42);
  assert.equal(contentHashFromDigest(view), view.toString('hex'));
});

test('conversions agree with nix-hash --to-base32, --to-base16 and nix hash to-sri', (t) => {
  if (!requireTool(t, 'nix-hash', 'nix-bin')) return;
  const hashes = Array.from({ length: 32 }, () => contentHashFromDigest(randomBytes(32)));
  const run = (cmd: string, args: string[]): string[] => execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(run('nix-hash', ['--type', 'sha256', '--to-base32', ...hashes.map(toHex)]), hashes.map(toBase32));
  assert.deepEqual(run('nix-hash', ['--type', 'sha256', '--to-base16', ...hashes.map(toBase32)]), hashes.map(toHex));
  const sri = run('nix', ['--extra-experimental-features', 'nix-command', 'hash', 'to-sri', '--type', 'sha256', ...hashes.map(toBase32)]);
  assert.deepEqual(sri, hashes.map(toSri));
  assert.deepEqual(sri.map(parseContentHash), hashes);
});

test('garbage is refused with a message naming the accepted forms', () => {
  const h = contentHashFromDigest(createHash('sha256').update('x').digest());
  const hex = toHex(h);
  const b32 = toBase32(h);
  const sri = toSri(h);
  const bad = [
    '', 'abc', hex.slice(1), `${hex}0`, `g${hex.slice(1)}`, ` ${hex}`, `${hex}\n`,
    b32.slice(1), `e${b32.slice(1)}`, b32.toUpperCase(),
    // 52 base32 digits carry 260 bits; a set top bit is not a 256-bit digest.
    `z${b32.slice(1)}`,
    sri.slice(0, -1), `${sri}=`, sri.replace('sha256-', 'sha512-'), sri.replace('=', 'A'),
    // The unused low bits of the last base64 digit must be zero.
    `${sri.slice(0, -2)}${B64[B64.indexOf(sri.at(-2)!) ^ 1]}=`,
    `md5:${hex}`, `sha256:${sri.slice(7)}`, `sha256:`, 'sha256-', `SHA256:${hex}`, `sha256:sha256:${hex}`,
  ];
  for (const text of bad) {
    assert.equal(tryParseContentHash(text), undefined, JSON.stringify(text));
    assert.throws(() => parseContentHash(text), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError);
      assert.equal(e.code, 'hash/invalid');
      assert.match(e.message, /64 hex digits, 52 Nix base32 characters, SRI "sha256-<base64>", or "sha256:"/);
      return true;
    }, JSON.stringify(text));
  }
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    const got = tryParseContentHash(s);
    if (got !== undefined) assert.match(got, /^[0-9a-f]{64}$/);
  }));
});

test('a long garbage text is shortened in the message', () => {
  assert.throws(() => parseContentHash('x'.repeat(10_000)), (e: unknown) => (e as Error).message.length < 400);
});

test('only 32-byte digests make a hash', () => {
  for (const n of [0, 20, 31, 33, 64]) {
    assert.throws(() => contentHashFromDigest(new Uint8Array(n)), (e: unknown) => (e as NomiaStoreError).code === 'hash/invalid');
  }
});
