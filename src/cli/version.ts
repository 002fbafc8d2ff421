/** Nomia's version, from its package.json. */
import { readFileSync } from 'node:fs';

let known: string | undefined;

/** Read once per process (a daemon asks on every request, for the memo's key). */
export function version(): string {
  known ??= (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return known;
}
