/**
 * Nix's base32: the alphabet without e, o, t, u, and the bytes read from the
 * end, so that `nomia1-…` spellings and store paths look like Nix's.
 * 32 bytes encode to 52 characters.
 */
const ALPHABET = '0123456789abcdfghijklmnpqrsvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));
const CODES = Buffer.from(ALPHABET, 'latin1');

/** Length of the base32 form of `n` bytes. */
export function base32Length(n: number): number {
  return Math.ceil((n * 8) / 5);
}

export function encodeBase32(bytes: Uint8Array): string {
  const len = base32Length(bytes.length);
  const out = Buffer.allocUnsafe(len);
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    const c = ((bytes[i]! >> j) | (i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0)) & 0x1f;
    out[len - 1 - n] = CODES[c]!;
  }
  return out.toString('latin1');
}

/** Decode; `undefined` if `s` is not the base32 form of `size` bytes. */
export function decodeBase32(s: string, size: number): Uint8Array | undefined {
  if (s.length !== base32Length(size)) return undefined;
  const out = new Uint8Array(size);
  for (let n = 0; n < s.length; n++) {
    const digit = INDEX.get(s[s.length - n - 1]!);
    if (digit === undefined) return undefined;
    const b = n * 5;
    const i = b >> 3;
    const j = b & 7;
    out[i]! |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1]! |= carry;
    else if (carry !== 0) return undefined;
  }
  return out;
}
