/**
 * Object paths: `store/<base32 of the NAR hash>-<name>`. The path is a pure
 * function of content and name, so it is the same on every machine (which
 * self-references and binary caches rely on).
 */
import { NomiaStoreError } from '../errors.js';
import { decodeBase32 } from './base32.js';
import { contentHashFromDigest, toBase32, type ContentHash } from './hash.js';

/** Nix's rule for store names: it keeps paths portable and shell-safe. */
const NAME = /^[A-Za-z0-9+\-_?=][A-Za-z0-9+\-._?=]{0,210}$/;

export function isValidObjectName(name: string): boolean {
  return NAME.test(name);
}

export function checkObjectName(name: string): string {
  if (!isValidObjectName(name)) {
    throw new NomiaStoreError('usage', `${JSON.stringify(name)} is not a valid object name`, {
      hint: 'names use letters, digits and + - . _ ? =, do not start with a dot, and have at most 211 characters; pass --name',
    });
  }
  return name;
}

/** A name for an added path when none is given: its base name, if that is a valid object name. */
export function defaultObjectName(baseName: string): string | undefined {
  return isValidObjectName(baseName) ? baseName : undefined;
}

export function objectPath(hash: ContentHash, name: string): string {
  return `${toBase32(hash)}-${name}`;
}

/** Split a store directory entry into its hash and name, or undefined if it is not an object path. */
export function parseObjectPath(entry: string): { hash: ContentHash; name: string } | undefined {
  const m = /^([0-9abcdfghijklmnpqrsvwxyz]{52})-(.+)$/.exec(entry);
  if (!m || !isValidObjectName(m[2]!)) return undefined;
  const digest = decodeBase32(m[1]!, 32);
  return digest ? { hash: contentHashFromDigest(digest), name: m[2]! } : undefined;
}
