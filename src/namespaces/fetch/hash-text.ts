/**
 * The `sha256=` parameter of fetch names: read in any form the store
 * accepts (hex, Nix base32, SRI, `sha256:` prefix), and hashes shown back in
 * the form the user wrote, so a mismatch message can be pasted over the
 * wrong value as it stands.
 */
import { contentHashFromDigest, toBase32, toSri, tryParseContentHash } from '../../namespace/index.js';

/** The canonical hex of a written SHA-256, or undefined if it is not one. */
export function parseSha256(written: string): string | undefined {
  return tryParseContentHash(written);
}

/** `hex` (canonical lowercase) shown in the form of `written`. */
export function formatLike(written: string, hex: string): string {
  const h = contentHashFromDigest(Buffer.from(hex, 'hex'));
  if (written.startsWith('sha256-')) return toSri(h);
  const prefix = written.startsWith('sha256:') ? 'sha256:' : '';
  const body = written.slice(prefix.length);
  return prefix + (body.length === 52 ? toBase32(h) : h);
}
