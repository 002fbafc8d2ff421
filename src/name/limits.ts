/**
 * How long a name text may be. Its own module so that a caller that only
 * checks the size of its input (the CLI reading stdin on the memo's fast
 * path) does not load the parser.
 */
import { getHeapStatistics } from 'node:v8';

/** The most a name text may hold, in UTF-16 code units, whatever the heap. */
export const MAX_NAME_LENGTH = 64 * 1024 * 1024;

/**
 * The longest name text the parser accepts, in UTF-16 code units: 64 Mi, or
 * 1/128 of the JavaScript heap limit if that is less. A parsed name's
 * AST takes about 50 bytes per character (the streaming formatter much less),
 * and flattening and spelling about twice that: past this bound a large name
 * would end the process with an out-of-memory crash instead of an error.
 * (a 10 M-character compose flattens in 1 GB). Node's default heap of
 * 2–4 GB gives 16–32 M characters; `--max-old-space-size` raises it.
 */
export function maxNameLength(): number {
  return Math.min(MAX_NAME_LENGTH, Math.floor(getHeapStatistics().heap_size_limit / 128));
}
