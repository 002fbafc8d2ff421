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
  private readonly wanted: Set<string>;
  private readonly seen = new Set<string>();
  /** The tail of the current run of base32 characters (at most HASH_PART_LENGTH - 1 bytes kept). */
  private run = '';

  constructor(candidates: Iterable<string>) {
    this.wanted = new Set(candidates);
  }

  push(chunk: Uint8Array): void {
    if (this.wanted.size === 0) return;
    let run = this.run;
    let start = 0;
    // Walk runs of base32 characters; only a run of at least 52 can hold a hash part.
    for (let i = 0; i <= chunk.length; i++) {
      if (i < chunk.length && IS_BASE32[chunk[i]!]) continue;
      const piece = run + Buffer.from(chunk.buffer, chunk.byteOffset + start, i - start).toString('latin1');
      if (i < chunk.length) {
        this.check(piece);
        run = '';
        start = i + 1;
      } else {
        // The run continues into the next chunk: check what is complete, keep the tail.
        this.check(piece);
        run = piece.length >= HASH_PART_LENGTH ? piece.slice(piece.length - (HASH_PART_LENGTH - 1)) : piece;
      }
    }
    this.run = run;
  }

  private check(piece: string): void {
    for (let j = 0; j + HASH_PART_LENGTH <= piece.length; j++) {
      const w = piece.slice(j, j + HASH_PART_LENGTH);
      if (this.wanted.has(w)) this.seen.add(w);
    }
  }

  /** The candidates found so far. */
  found(): Set<string> {
    return new Set(this.seen);
  }
}
