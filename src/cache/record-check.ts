/**
 * Reading a record a cache sent: parse it and check its signature, once per
 * process for the same bytes. An ed25519 check is most of a lookup's cost;
 * a resident process (`realize --daemon`) or a realize that asks for a
 * spelling again gets the same bytes back, and a signature is a function of
 * the bytes and the key alone, so a record verified before under a key
 * this run trusts is that key's again. Nothing is remembered of records
 * that fail: a record is followed only if these very bytes were verified
 * under a key trusted now.
 */
import type { PublicKey } from './keys.js';
import { parseRecord, recordFingerprint, signerOf, type SignedRecord } from './record.js';
import type { SignatureChecks } from './signature-checks.js';

/** What a record's bytes are. */
export type Checked =
  | { readonly kind: 'malformed' }
  /** Well formed, not signed by any of the keys (or altered). */
  | { readonly kind: 'untrusted'; readonly record: SignedRecord }
  | { readonly kind: 'signed'; readonly record: SignedRecord; readonly signer: PublicKey };

/** Verified records by their text, with the text of the key that verified each; oldest first. */
const verified = new Map<string, { readonly record: SignedRecord; readonly key: string }>();
let held = 0;
/** Characters of record text remembered, at most: a closure's record can be large. */
const MAX_HELD = 16 << 20;

/** Parse `bytes` as a record and find which of `keys` signed it; `checks` may check signatures elsewhere. */
export async function checkRecord(bytes: Buffer, keys: readonly PublicKey[], checks?: SignatureChecks): Promise<Checked> {
  const text = bytes.toString('utf8');
  const known = verified.get(text);
  const signer = known && keys.find((k) => k.text === known.key);
  if (known && signer) return { kind: 'signed', record: known.record, signer };
  const record = parseRecord(text);
  if (!record) return { kind: 'malformed' };
  const by = checks ? await checks.check(recordFingerprint(record), record.sig, keys) : signerOf(record, keys);
  if (!by) return { kind: 'untrusted', record };
  remember(text, record, by.text);
  return { kind: 'signed', record, signer: by };
}

function remember(text: string, record: SignedRecord, key: string): void {
  if (text.length > MAX_HELD) return;
  if (!verified.has(text)) held += text.length;
  verified.set(text, { record, key });
  for (const [t] of verified) {
    if (held <= MAX_HELD) break;
    verified.delete(t);
    held -= t.length;
  }
}
