/** Trusted keys and their scopes (src/namespace/trust.ts): accept/reject table, and what a scope covers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { parseTrustedKey, signerCovers } from '../../src/namespace/trust.js';

const K = `team-1:${Buffer.alloc(32, 7).toString('base64')}`;

describe('parseTrustedKey', () => {
  const accepted: [string, readonly string[] | '*'][] = [
    [K, '*'],
    [`${K}@*`, '*'],
    [`${K}@deb:*`, ['deb']],
    [`${K}@deb:*, git:*`, ['deb', 'git']],
    [`${K}@deb:*,deb:*`, ['deb']],
    [`${K}@deb:*,*`, '*'],
    [`  ${K}  `, '*'],
  ];
  for (const [text, namespaces] of accepted) {
    test(`accepts ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseTrustedKey(text, 'here'), { key: K, namespaces, source: 'here' });
    });
  }
  const refused = [
    'team-1', `${K.slice(0, -2)}=`, `:${K.slice(7)}`, `team 1:${K.slice(7)}`,
    `${K}@deb`, `${K}@`, `${K}@deb:x`, `${K}@:*`, `${K}@deb:*,`, `${K}@1deb:*`,
  ];
  for (const text of refused) {
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseTrustedKey(text, 'nomia.json'), (e) => e instanceof NomiaError && e.code === 'usage' && e.message.startsWith('nomia.json: '));
    });
  }
});

describe('signerCovers', () => {
  const spellings: Record<string, string> = { deb: 'builtin:deb@1', exec: 'builtin:exec@1', fs: 'builtin:filesystem@1', filesystem: 'builtin:filesystem@1' };
  const of = (id: string) => spellings[id];
  const other = `other:${Buffer.alloc(32, 9).toString('base64')}`;
  test('a key for every namespace covers any spelling; another key none', () => {
    const trust = [parseTrustedKey(K, 'x')];
    assert.equal(signerCovers(trust, K, 'external:x@abc', of), true);
    assert.equal(signerCovers(trust, other, 'builtin:deb@1', of), false);
  });
  test('a scoped key covers its namespaces only, aliases included; an unknown id covers nothing', () => {
    const trust = [parseTrustedKey(`${K}@deb:*,fs:*,nowhere:*`, 'x')];
    assert.equal(signerCovers(trust, K, 'builtin:deb@1', of), true);
    assert.equal(signerCovers(trust, K, 'builtin:filesystem@1', of), true);
    assert.equal(signerCovers(trust, K, 'builtin:exec@1', of), false);
  });
  test('scopes of one key from several files add up', () => {
    const trust = [parseTrustedKey(`${K}@deb:*`, 'user'), parseTrustedKey(`${K}@exec:*`, 'project')];
    assert.equal(signerCovers(trust, K, 'builtin:exec@1', of), true);
    assert.equal(signerCovers(trust, K, 'builtin:deb@1', of), true);
  });
});
