/**
 * Reading a record a cache sent (src/cache/record-check.ts): the same bytes
 * verified once are not checked again in this process, and what was
 * verified before never widens trust: other keys, a key of the same name,
 * and bytes changed by one character are each checked afresh and refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSecretKey, parsePublicKey, parseSecretKey } from '../../src/cache/keys.js';
import { checkRecord } from '../../src/cache/record-check.js';
import { formatRecord, signRecord } from '../../src/cache/record.js';

const key = parseSecretKey(generateSecretKey('check-1'));
const trusted = parsePublicKey(key.publicText);
const record = {
  from: 'nomia1-check', namespace: 'builtin:exec@1', to: 'x:y', storeDir: '/s/store',
  objects: [{ path: `${'0'.repeat(52)}-out`, references: [], narSize: 9, selfReference: false }],
};
const bytes = Buffer.from(formatRecord(signRecord(record, key)));

test('the same bytes verified again are the record verified before, with its signer', async () => {
  const first = await checkRecord(bytes, [trusted]);
  assert.equal(first.kind, 'signed');
  const again = await checkRecord(Buffer.from(bytes), [trusted]);
  assert.equal(again.kind, 'signed');
  // The very object parsed the first time: the bytes were neither parsed nor checked again.
  assert.ok(first.kind === 'signed' && again.kind === 'signed' && again.record === first.record && again.signer === trusted);
});

test('what was verified before is refused under keys that do not include its signer', async () => {
  await checkRecord(bytes, [trusted]);
  const other = parsePublicKey(parseSecretKey(generateSecretKey('other-1')).publicText);
  assert.equal((await checkRecord(bytes, [other])).kind, 'untrusted');
  assert.equal((await checkRecord(bytes, [])).kind, 'untrusted');
  // A key of the same name with other bytes.
  const sameName = parsePublicKey(parseSecretKey(generateSecretKey('check-1')).publicText);
  assert.equal((await checkRecord(bytes, [sameName])).kind, 'untrusted');
});

test('bytes changed by one character after the original was verified are checked afresh and refused', async () => {
  await checkRecord(bytes, [trusted]);
  const altered = Buffer.from(bytes.toString().replace('"narSize":9', '"narSize":8'));
  assert.notDeepEqual(altered, bytes);
  assert.equal((await checkRecord(altered, [trusted])).kind, 'untrusted');
  assert.equal((await checkRecord(Buffer.from('{"from": 1}'), [trusted])).kind, 'malformed');
});
