/**
 * The part of a cache Nix reads (docs/spec/cache.md, "What Nix reads"): a
 * Nomia object without references to other objects and without a
 * self-reference is, byte for byte, the Nix fixed-output path
 * `nix-store --add-fixed --recursive sha256` would make of it, so its
 * `<hash part>.narinfo` lets `nix-store --realise` substitute it.
 *
 *   path     = /nix/store/<base32(compress20(sha256(s)))>-<name>
 *   s        = "source:sha256:" <hex NAR hash> ":/nix/store:" <name>
 *   sig over   "1;" <path> ";sha256:" <base32 NAR hash> ";" <NAR size> ";"   (no references)
 */
import { createHash } from 'node:crypto';
import { encodeBase32 } from '../store/base32.js';

/** The store directory Nix's caches (and so this part of ours) are written for. */
export const NIX_STORE_DIR = '/nix/store';

/** Nix's `compressHash`: fold a digest into `size` bytes by xor. */
function compress(digest: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < digest.length; i++) out[i % size]! ^= digest[i]!;
  return out;
}

/** The Nix store path of a by-content object with NAR hash `narHex` (lowercase hex) and name `name`. */
export function nixFixedPath(narHex: string, name: string): string {
  const s = `source:sha256:${narHex}:${NIX_STORE_DIR}:${name}`;
  return `${NIX_STORE_DIR}/${encodeBase32(compress(createHash('sha256').update(s).digest(), 20))}-${name}`;
}

/** The 32-character hash part of a Nix store path: its `.narinfo` is named by it. */
export function nixHashPart(storePath: string): string {
  return storePath.slice(NIX_STORE_DIR.length + 1, NIX_STORE_DIR.length + 33);
}

/** What a `.narinfo` says of one object with no references. */
export interface NarInfo {
  readonly storePath: string;
  /** Relative to the cache's root: `nar/<hex>.nar`. */
  readonly url: string;
  readonly narHex: string;
  readonly narSize: number;
}

/** The text Nix signs for a path (its `fingerprintPath`). */
export function nixFingerprint(info: NarInfo): string {
  return `1;${info.storePath};sha256:${encodeBase32(Buffer.from(info.narHex, 'hex'))};${info.narSize};`;
}

/** The `.narinfo` text, with the signature `sig` (`name:base64`). */
export function formatNarInfo(info: NarInfo, sig: string): string {
  const b32 = encodeBase32(Buffer.from(info.narHex, 'hex'));
  return [
    `StorePath: ${info.storePath}`,
    `URL: ${info.url}`,
    'Compression: none',
    `FileHash: sha256:${b32}`,
    `FileSize: ${info.narSize}`,
    `NarHash: sha256:${b32}`,
    `NarSize: ${info.narSize}`,
    'References: ',
    `CA: fixed:r:sha256:${b32}`,
    `Sig: ${sig}`,
    '',
  ].join('\n');
}

/** The `nix-cache-info` file: Nix refuses a cache whose StoreDir is not its own. */
export const NIX_CACHE_INFO = `StoreDir: ${NIX_STORE_DIR}\nWantMassQuery: 1\nPriority: 50\n`;
