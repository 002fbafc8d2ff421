import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateSecretKey, parsePublicKey, parseSecretKey, signText, verifiedBy, verifiedByInPool } from '../../src/cache/keys.js';
import { formatRecord, parseRecord, signerOf, signRecord } from '../../src/cache/record.js';
import { tempDir } from '../support/cli.js';

describe('signing keys', () => {
  it('reads the keys nix-store --generate-binary-cache-key writes, and its public half is Nix\'s', () => {
    const dir = tempDir('keys');
    execFileSync('nix-store', ['--generate-binary-cache-key', 'nix-made-1', join(dir, 'sk'), join(dir, 'pk')]);
    const secret = parseSecretKey(readFileSync(join(dir, 'sk'), 'utf8'));
    assert.equal(secret.publicText, readFileSync(join(dir, 'pk'), 'utf8').trim());
    const sig = signText(secret, '1;/nix/store/x;sha256:y;1;');
    assert.equal(verifiedBy([parsePublicKey(secret.publicText)], '1;/nix/store/x;sha256:y;1;', sig)?.name, 'nix-made-1');
    assert.equal(verifiedBy([parsePublicKey(secret.publicText)], '1;/nix/store/x;sha256:y;2;', sig), undefined);
  });

  it('checks a signature on the thread pool with the same answer as on this thread, for Nix\'s key too', async () => {
    const dir = tempDir('keys-pool');
    execFileSync('nix-store', ['--generate-binary-cache-key', 'nix-made-1', join(dir, 'sk'), join(dir, 'pk')]);
    const nix = parseSecretKey(readFileSync(join(dir, 'sk'), 'utf8'));
    const other = parseSecretKey(generateSecretKey('other-1'));
    const impostor = parseSecretKey(generateSecretKey('nix-made-1'));
    const keys = [parsePublicKey(other.publicText), parsePublicKey(nix.publicText)];
    const f = '1;/nix/store/x;sha256:y;1;';
    /** The signature's bytes with one bit changed. */
    const flipped = (sig: string): string => {
      const bytes = Buffer.from(sig.slice(sig.indexOf(':') + 1), 'base64');
      bytes[10]! ^= 1;
      return bytes.toString('base64');
    };
    const cases: [string, string, string | undefined][] = [
      [f, signText(nix, f), 'nix-made-1'],
      [f, signText(other, f), 'other-1'],
      ['1;/nix/store/x;sha256:y;2;', signText(nix, f), undefined],
      [f, signText(impostor, f), undefined],
      [f, signText(parseSecretKey(generateSecretKey('stranger-1')), f), undefined],
      [f, 'nix-made-1:AAAA', undefined],
      [f, `nix-made-1:${flipped(signText(nix, f))}`, undefined],
      [f, 'no signature', undefined],
    ];
    for (const [fingerprint, sig, want] of cases) {
      assert.equal(verifiedBy(keys, fingerprint, sig)?.name, want, sig);
      assert.equal((await verifiedByInPool(keys, fingerprint, sig))?.name, want, sig);
    }
  });

  it('refuses text that is not a key', () => {
    for (const bad of ['', 'name', 'name:', ':AAAA', 'name:AAAA', `bad name:${Buffer.alloc(32).toString('base64')}`]) {
      assert.throws(() => parsePublicKey(bad), { code: 'cache/key' }, bad);
    }
    assert.throws(() => parseSecretKey(`n:${Buffer.alloc(32).toString('base64')}`), { code: 'cache/key' });
  });
});

describe('reduction records', () => {
  const key = parseSecretKey(generateSecretKey('rec-1'));
  const dep = `${'1'.repeat(52)}-dep`;
  const record = {
    from: 'nomia1-abc', namespace: 'builtin:exec@1', to: 'x:y', storeDir: '/s/store',
    objects: [{ path: dep, references: [], narSize: 8, selfReference: false }, { path: `${'0'.repeat(52)}-out`, references: [dep], narSize: 9, selfReference: true }],
  };

  it('round-trip through their text, and verify against the key that signed them', () => {
    const read = parseRecord(formatRecord(signRecord(record, key)))!;
    assert.equal(signerOf(read, [parsePublicKey(key.publicText)])?.name, 'rec-1');
  });

  it('do not verify once any field is changed', () => {
    const text = formatRecord(signRecord(record, key));
    const pub = [parsePublicKey(key.publicText)];
    for (const [from, to] of [['x:y', 'x:z'], ['/s/store', '/t/store'], ['"narSize":9', '"narSize":10'], ['"selfReference":true', '"selfReference":false']] as const) {
      const read = parseRecord(text.replace(from, to));
      assert.ok(read, from);
      assert.equal(signerOf(read, pub), undefined, from);
    }
  });

  it('are refused when an object comes before an object it refers to', () => {
    const swapped = { ...record, objects: [...record.objects].reverse() };
    assert.equal(parseRecord(formatRecord(signRecord(swapped, key))), undefined);
  });
});
