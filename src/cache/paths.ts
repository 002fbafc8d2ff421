/** The files of a cache, relative to its root (docs/spec/cache.md, "Layout"). */
import { HASH_PART_LENGTH } from '../store/scan.js';

/** An object's NAR, by its content hash in lowercase hex. */
export function narPath(hashHex: string): string {
  return `nar/${hashHex}.nar`;
}

/** An object's metadata (the start of an export, up to its NAR), by the 52-character hash part of its path. */
export function objectInfoPath(objectPath: string): string {
  return `objects/${objectPath.slice(0, HASH_PART_LENGTH)}`;
}

/** The reduction record from a spelling. */
export function recordPath(spelling: string): string {
  return `reductions/${encodeURIComponent(spelling)}`;
}
