/** Expecting a typed error from a promise. */
import assert from 'node:assert/strict';
import { NomiaError } from '../../src/errors.js';

/** Expect `p` to reject with a `NomiaError` of `code`, its message matching `message`; that error. */
export async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<NomiaError> {
  let caught: unknown;
  await p.catch((e: unknown) => {
    caught = e;
  });
  assert.ok(caught instanceof NomiaError, `expected a NomiaError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, message);
  return caught;
}
