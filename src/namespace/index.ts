/**
 * Everything a namespace is written against, in one place (STYLE rule 1: a
 * built-in namespace imports only this folder). The contract itself is
 * `types.ts` (what a namespace implements and the context it is handed);
 * `store-api.ts` is what it may do with the store; `params.ts` reads its
 * requests; the rest names and types the resources it gives.
 */
export * from './types.js';
export * from './store-api.js';
export * from './params.js';
export * from './name-table.js';
export { cacheEntries, survivesSweep, sweepCache } from './cache-sweep.js';
export { deadHints, fileSha256, hintKey, hintStore, keepHint, readHints, type HintStore } from './hint-store.js';
export { didYouMean } from './suggest.js';
export { NomiaError, type ErrorCode } from '../errors.js';
export { byContentName, valueName, valueResource, fsType } from '../resource/names.js';
export { byContentOf, BY_CONTENT, type ByContent } from '../resource/by-content.js';
export { isSubtype, registerType, isKnownType, type Annotation } from '../resource/types.js';
export { printValue, printSegment } from '../name/print.js';
export type { GraphParam, Value } from '../graph/types.js';
