/**
 * Signature checks in batches on a thread of their own
 * (src/cache/signature-checks.ts): checks asked for together each get the
 * right answer (the key that signed, or none for a changed fingerprint, an
 * untrusted key, a signature under another key's name); a lone check is
 * answered too; checks away on the thread when it is stopped are made here.
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

test('checks asked together each get the key that signed, or none', async () => {
  const checks = new SignatureChecks();
  try {
    const cs = cases();
    const got = await Promise.all(cs.map((c) => checks.check(c.fingerprint, c.sig, [pa, pb])));
    assert.deepEqual(got.map((k) => k?.text), cs.map((c) => c.want));
    // Only the keys given count.
    assert.equal(await checks.check('x', signText(b, 'x'), [pa]), undefined);
    assert.equal((await checks.check('x', signText(b, 'x'), [pb]))?.text, pb.text);
  } finally {
    checks.close();
  }
});

test('checks away on the thread when it is stopped are made here, with the same answers', async () => {
  const checks = new SignatureChecks();
  const cs = cases();
  const pending = cs.map((c) => checks.check(c.fingerprint, c.sig, [pa, pb]));
  // After the batch went to the thread (the turn's end), before its answers.
  setImmediate(() => checks.close());
  const got = await Promise.all(pending);
  assert.deepEqual(got.map((k) => k?.text), cs.map((c) => c.want));
});
