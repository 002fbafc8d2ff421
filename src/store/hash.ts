/**
 * Content hashes of store objects: the SHA-256 of an object's NAR, the same
 * number Nix calls `narHash`.
 *
 * One canonical text (lowercase hex) travels through the program so that
 * hashes compare with `===` and key maps without normalization; the other
 * spellings exist only at the edges (store paths use base32, Nix tooling and
 * lock files use SRI). Keeping this the only module that mints the brand means
 * a `ContentHash` anywhere else has already been validated.
 */
import { NomiaStoreError } from '../errors.js';
import { decodeBase32, encodeBase32 } from './base32.js';

/** Lowercase 64-digit hex of a SHA-256 digest; mint with the functions below only. */
export type ContentHash = string & { readonly __brand: 'ContentHash' };

const DIGEST_BYTES = 32;
const HEX = /^[0-9a-fA-F]{64}$/;
const BASE32_CHARS = 52;
// 32 bytes of base64 are 43 significant characters and one `=`.
const SRI_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

const ACCEPTED =
  'a SHA-256 as 64 hex digits, 52 Nix base32 characters, SRI "sha256-<base64>", ' +
  'or "sha256:" followed by hex or base32';

/**
 * The hash whose digest is `d`. Throws `hash/invalid` unless `d` is 32 bytes,
 * since anything else cannot be a SHA-256 and would poison store paths.
 */
export function contentHashFromDigest(d: Uint8Array): ContentHash {
  if (d.length !== DIGEST_BYTES) {
    throw new NomiaStoreError('hash/invalid', `a SHA-256 digest is ${DIGEST_BYTES} bytes, got ${d.length}`);
  }
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex') as ContentHash;
}

/**
 * Parse any spelling a user or Nix might hand us, or `undefined`. Each form
 * has a distinct length (64, 52, 44 after the prefix), so there is never a
 * guess between encodings.
 */
export function tryParseContentHash(text: string): ContentHash | undefined {
  if (text.startsWith('sha256-')) return fromSri(text.slice(7));
  const body = text.startsWith('sha256:') ? text.slice(7) : text;
  if (body.length === 64) return HEX.test(body) ? (body.toLowerCase() as ContentHash) : undefined;
  if (body.length === BASE32_CHARS) {
    // decodeBase32 also refuses non-canonical spellings (stray high bits),
    // so each digest has exactly one base32 text.
    const d = decodeBase32(body, DIGEST_BYTES);
    return d === undefined ? undefined : contentHashFromDigest(d);
  }
  return undefined;
}

/**
 * Parse like `tryParseContentHash`, but throw `hash/invalid` with a message
 * listing the accepted forms, because the usual mistake is pasting a hash of
 * another algorithm or a truncated one.
 */
export function parseContentHash(text: string): ContentHash {
  const h = tryParseContentHash(text);
  if (h !== undefined) return h;
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  throw new NomiaStoreError('hash/invalid', `invalid content hash ${JSON.stringify(shown)}: expected ${ACCEPTED}`);
}

function fromSri(b64: string): ContentHash | undefined {
  if (!SRI_BASE64.test(b64)) return undefined;
  const d = Buffer.from(b64, 'base64');
  // Node's decoder ignores unused low bits; re-encoding rejects texts that
  // are not the one canonical base64 of their digest.
  if (d.length !== DIGEST_BYTES || d.toString('base64') !== b64) return undefined;
  return contentHashFromDigest(d);
}

/** The canonical text itself; exists so call sites say which form they want. */
export function toHex(h: ContentHash): string {
  return h;
}

/** Nix base32 (52 characters), the form used in store paths. */
export function toBase32(h: ContentHash): string {
  return encodeBase32(digestOf(h));
}

/** SRI (`sha256-<base64>`), the form `nix hash path` and flake locks print. */
export function toSri(h: ContentHash): string {
  return `sha256-${digestOf(h).toString('base64')}`;
}

/** The 32 raw digest bytes, for hashing into other hashes. */
export function digestOf(h: ContentHash): Buffer {
  return Buffer.from(h, 'hex');
}
