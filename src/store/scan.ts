/**
 * Finding references to store objects in bytes, as Nix does after a build:
 * an object refers to another when it contains the other's hash part (the
 * 52 base32 characters before the `-` of its path). Only candidates the
 * output could have seen (its inputs' closure) are looked for, so an
 * accidental match with an unrelated object cannot create a reference.
 */

/** The length of the hash part of an object path (Nix base32 of a SHA-256). */
export const HASH_PART_LENGTH = 52;

const IS_BASE32 = new Uint8Array(256);
for (const c of '0123456789abcdfghijklmnpqrsvwxyz') IS_BASE32[c.charCodeAt(0)] = 1;

/** The hash part of an object path (`<hash part>-<name>`). */
export function hashPart(objectPath: string): string {
  return objectPath.slice(0, HASH_PART_LENGTH);
}

/**
 * Scans a byte stream, chunk by chunk, for hash parts from a candidate set.
 * A match may straddle chunks: the scanner keeps the current run of base32
 * characters between calls.
 */
export class HashPartScanner {
  /** Undefined: every window of base32 characters is a candidate (collected up to `limit`). */
  private readonly wanted: Set<string> | undefined;
  private readonly seen = new Set<string>();
  /** The tail of the last chunk that a hash part may continue from: its final run of base32 characters, at most HASH_PART_LENGTH - 1 bytes. */
  private tail: Uint8Array = new Uint8Array(0);
  /** More than `limit` distinct windows were seen (only without candidates): `found()` is incomplete. */
  overflowed = false;

  /**
   * Look for `candidates`; or, when they are `'any'`, collect every distinct window that could be a hash
   * part, up to `limit` of them (more sets `overflowed` and stops collecting).
   */
  constructor(candidates: Iterable<string> | 'any', private readonly limit = Infinity) {
    this.wanted = candidates === 'any' ? undefined : new Set(candidates);
  }

  push(chunk: Uint8Array): void {
    if (this.wanted?.size === 0 || this.overflowed) return;
    const bytes = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const n = bytes.length;
    const L = HASH_PART_LENGTH;
    // Nix's scan: test a window's bytes from its end; a byte outside base32 at offset j rules out every window
    // starting at or before it, so skip past it. Binary data is mostly such bytes: about one test per window.
    let i = 0;
    next: while (i + L <= n) {
      for (let j = L - 1; j >= 0; j--) {
        if (!IS_BASE32[bytes[i + j]!]) {
          i += j + 1;
          continue next;
        }
      }
      const w = Buffer.from(bytes.buffer, bytes.byteOffset + i, L).toString('latin1');
      if (this.wanted === undefined) {
        this.seen.add(w);
        if (this.seen.size > this.limit) {
          this.overflowed = true;
          return;
        }
      } else if (this.wanted.has(w)) this.seen.add(w);
      i++;
    }
    // Windows starting past n - L are untested; only those inside the final base32 run can still match.
    let start = n;
    while (start > 0 && n - start < L - 1 && IS_BASE32[bytes[start - 1]!]) start--;
    // A copy: the caller may reuse the chunk's memory.
    this.tail = new Uint8Array(bytes.subarray(start));
  }

  /** The candidates found so far. */
  found(): Set<string> {
    return new Set(this.seen);
  }
}
