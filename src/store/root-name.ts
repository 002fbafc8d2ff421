/**
 * What a root may be called, checked on its own so that a command that only
 * validates a name it was given (`nomia up --root R`, before anything else)
 * loads neither the roots table nor SQLite.
 */
import { NomiaStoreError } from '../errors.js';

const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+:\/-]{0,199}$/;

/** `name` if it is a valid root name; else a `store/root` error. */
export function checkRootName(name: string): string {
  if (!ROOT_NAME.test(name)) {
    throw new NomiaStoreError('store/root', `${JSON.stringify(name)} is not a valid root name`, {
      hint: 'root names start with a letter or digit and use letters, digits and . _ @ + : / -',
    });
  }
  return name;
}
