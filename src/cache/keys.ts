/**
 * Signing keys in Nix's text format, so one public key line works for Nix
 * and Nomia: a secret key is `name:base64(seed ‖ public key)` (64 bytes, as
 * `nix-store --generate-binary-cache-key` writes it), a public key
 * `name:base64(public key)` (32 bytes). Signatures are ed25519 over a
 * fingerprint and read `name:base64(signature)`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { NomiaError } from '../errors.js';

/** A secret signing key. */
export interface SecretKey {
  readonly name: string;
  readonly key: KeyObject;
  /** The public half, `name:base64`. */
  readonly publicText: string;
}

/** A public key that signatures are checked against. */
export interface PublicKey {
  readonly name: string;
  readonly key: KeyObject;
  /** `name:base64`, as read. */
  readonly text: string;
}

const NAME = /^[A-Za-z0-9._+-]+$/;

function split(text: string, what: string, size: number): { name: string; bytes: Buffer } {
  const i = text.indexOf(':');
  const name = i > 0 ? text.slice(0, i) : '';
  const bytes = Buffer.from(text.slice(i + 1).trim(), 'base64');
  if (!NAME.test(name) || bytes.length !== size) {
    throw new NomiaError('cache/key', `${JSON.stringify(text.slice(0, 40))} is not a ${what} (NAME:BASE64 of ${size} bytes)`, {
      hint: what === 'public key' ? 'print one with `nomia key public` (or take a Nix trusted-public-keys entry)' : 'make one with `nomia key generate NAME`',
    });
  }
  return { name, bytes };
}

/** Read a public key `name:base64`. Throws `cache/key` if it is not one. */
export function parsePublicKey(text: string): PublicKey {
  const { name, bytes } = split(text.trim(), 'public key', 32);
  return { name, text: `${name}:${bytes.toString('base64')}`, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' }) };
}

/** Read a secret key `name:base64(seed ‖ public)`. Throws `cache/key` if it is not one. */
export function parseSecretKey(text: string): SecretKey {
  const { name, bytes } = split(text.trim(), 'secret key', 64);
  const x = bytes.subarray(32).toString('base64url');
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: bytes.subarray(0, 32).toString('base64url'), x }, format: 'jwk' });
  return { name, key, publicText: `${name}:${bytes.subarray(32).toString('base64')}` };
}

/** A new secret key named `name`, as text. */
export function generateSecretKey(name: string): string {
  if (!NAME.test(name)) throw new NomiaError('usage', `${JSON.stringify(name)} is not a key name`, { hint: 'use letters, digits and . _ + -, e.g. cache.example.org-1' });
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const bytes = Buffer.concat([Buffer.from(jwk.d!, 'base64url'), Buffer.from(jwk.x!, 'base64url')]);
  return `${name}:${bytes.toString('base64')}`;
}

/** Sign `fingerprint`: `name:base64(signature)`. */
export function signText(key: SecretKey, fingerprint: string): string {
  return `${key.name}:${sign(null, Buffer.from(fingerprint), key.key).toString('base64')}`;
}

/** A signature `name:base64` read: the keys among `keys` of its name (those that may have made it) and its 64 bytes; undefined if it is none. */
function readSignature(keys: readonly PublicKey[], sig: string): { readonly candidates: readonly PublicKey[]; readonly bytes: Buffer } | undefined {
  const i = sig.indexOf(':');
  if (i <= 0) return undefined;
  const name = sig.slice(0, i);
  const bytes = Buffer.from(sig.slice(i + 1), 'base64');
  if (bytes.length !== 64) return undefined;
  return { candidates: keys.filter((k) => k.name === name), bytes };
}

/** The key among `keys` that made the signature `sig` (`name:base64`) over `fingerprint`, or undefined. */
export function verifiedBy(keys: readonly PublicKey[], fingerprint: string, sig: string): PublicKey | undefined {
  const read = readSignature(keys, sig);
  if (!read) return undefined;
  const data = Buffer.from(fingerprint);
  return read.candidates.find((k) => verify(null, data, k.key, read.bytes));
}

/**
 * `verifiedBy`, with the curve arithmetic on libuv's thread pool (`crypto.verify` given a callback), so
 * that checks asked for together use every core and each is answered as soon as it is made. A check the
 * pool fails to make (an error, not a wrong signature) counts as not verified: nothing is followed on it.
 */
export async function verifiedByInPool(keys: readonly PublicKey[], fingerprint: string, sig: string): Promise<PublicKey | undefined> {
  const read = readSignature(keys, sig);
  if (!read) return undefined;
  const data = Buffer.from(fingerprint);
  for (const k of read.candidates) {
    const ok = await new Promise<boolean>((resolve) => verify(null, data, k.key, read.bytes, (e, valid) => resolve(e === null && valid)));
    if (ok) return k;
  }
  return undefined;
}
