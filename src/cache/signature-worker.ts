/**
 * The signature thread (signature-checks.ts): checks batches of record
 * signatures with the same function the main thread uses, and answers each
 * with the index of the key that made it.
 */
import { parentPort } from 'node:worker_threads';
import { parsePublicKey, verifiedBy, type PublicKey } from './keys.js';
import type { SignatureAnswer, SignatureJob } from './signature-checks.js';

/** Keys read once: a run trusts a handful. */
const read = new Map<string, PublicKey>();
const key = (text: string): PublicKey => {
  let k = read.get(text);
  if (!k) read.set(text, (k = parsePublicKey(text)));
  return k;
};

parentPort!.on('message', (jobs: readonly SignatureJob[]) => {
  const answers: SignatureAnswer[] = jobs.map((j) => {
    const keys = j.keys.map(key);
    const by = verifiedBy(keys, j.fingerprint, j.sig);
    return { id: j.id, key: by ? keys.indexOf(by) : -1 };
  });
  parentPort!.postMessage(answers);
});
