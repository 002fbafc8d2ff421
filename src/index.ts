/**
 * The public API of Nomia.
 *
 * ```ts
 * import { parseName, print, flatten, spell } from 'nomia';
 * const name = parseName('git:exact-fetch?repo=https://example.org/r&rev=785d2c03a0d');
 * print(name);                 // canonical text
 * spell(flatten(name)).name;   // 'nomia1-…'
 * ```
 */
export * from './errors.js';
export * from './name/index.js';
export * from './graph/index.js';
export { encodeBase32, decodeBase32 } from './store/base32.js';
