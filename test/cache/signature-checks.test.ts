/**
 * Signature checks (src/cache/signature-checks.ts): checks asked for
 * together go to libuv's thread pool and each gets the right answer (the
 * key that signed, or none for a changed fingerprint, an untrusted key, a
 * signature under another key's name, a malformed signature); a lone check
 * is made on the calling thread, one asked while others are on the pool
 * goes there too, with the same answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSecretKey, parsePublicKey, parseSecretKey, signText } from '../../src/cache/keys.js';
import { SignatureChecks } from '../../src/cache/signature-checks.js';

const a = parseSecretKey(generateSecretKey('a-1'));
const b = parseSecretKey(generateSecretKey('b-1'));
const pa = parsePublicKey(a.publicText);
const pb = parsePublicKey(b.publicText);
/** Signed by a key named like `a-1` but another key. */
const impostor = parseSecretKey(generateSecretKey('a-1'));

/** 40 checks: by a, by b, a changed fingerprint, an impostor, each ten times. */
function cases(): { fingerprint: string; sig: string; want: string | undefined }[] {
  return Array.from({ length: 40 }, (_, i) => {
    const f = `record ${i}`;
    switch (i % 4) {
      case 0: return { fingerprint: f, sig: signText(a, f), want: pa.text };
      case 1: return { fingerprint: f, sig: signText(b, f), want: pb.text };
      case 2: return { fingerprint: `${f}!`, sig: signText(a, f), want: undefined };
      default: return { fingerprint: f, sig: signText(impostor, f), want: undefined };
    }
  });
}

test('checks asked together go to the pool, and each gets the key that signed, or none', async () => {
  const checks = new SignatureChecks();
  const cs = cases();
  const got = await Promise.all(cs.map((c) => checks.check(c.fingerprint, c.sig, [pa, pb])));
  assert.deepEqual(got.map((k) => k?.text), cs.map((c) => c.want));
  assert.deepEqual(checks.made, { here: 0, pool: cs.length });
  // Only the keys given count; a signature that is not one is nobody's.
  const [onlyA, byB, notOne] = await Promise.all([
    checks.check('x', signText(b, 'x'), [pa]),
    checks.check('x', signText(b, 'x'), [pb]),
    checks.check('x', 'b-1:AAAA', [pa, pb]),
  ]);
  assert.equal(onlyA, undefined);
  assert.equal(byB?.text, pb.text);
  assert.equal(notOne, undefined);
  assert.deepEqual(checks.made, { here: 0, pool: cs.length + 3 });
});

test('a lone check is made here; one asked while others are on the pool gets the same answers', async () => {
  const checks = new SignatureChecks();
  assert.equal((await checks.check('lone', signText(a, 'lone'), [pa, pb]))?.text, pa.text);
  assert.equal(await checks.check('lone!', signText(a, 'lone'), [pa, pb]), undefined);
  assert.deepEqual(checks.made, { here: 2, pool: 0 });
  const cs = cases();
  const together = Promise.all(cs.map((c) => checks.check(c.fingerprint, c.sig, [pa, pb])));
  // Each asked alone in a later turn, while (most of) the 40 are on the pool.
  const late = async (fingerprint: string, sig: string) => new Promise<Promise<unknown>>((resolve) => setImmediate(() => resolve(checks.check(fingerprint, sig, [pa, pb]))));
  const byImpostor = await late('late', signText(impostor, 'late'));
  const altered = await late('late!', signText(b, 'late'));
  const byB = await late('late', signText(b, 'late'));
  assert.deepEqual((await together).map((k) => k?.text), cs.map((c) => c.want));
  assert.equal(await byImpostor, undefined);
  assert.equal(await altered, undefined);
  assert.equal(((await byB) as { text: string } | undefined)?.text, pb.text);
});
