/**
 * Which signers the namespace of namespaces trusts, for which namespaces
 * (DESIGN.md §5, docs/cache.md "Trust"). A trusted key is a public key in
 * Nix's `name:base64` form, trusted for every namespace (as Nix's
 * `trusted-public-keys`) or only for some: `name:base64@deb:*,git:*`
 * trusts the key's reductions of `deb` and `git` names and of no others.
 * Keys come from the user's config.json, the project's nomia.json and
 * `--trusted-key`, all added together: a project's keys count only for
 * realizes run in that project.
 *
 * Config form: `"trusted-public-keys": ["name:base64", "name:base64@deb:*",
 * {"key": "name:base64", "namespaces": ["deb:*"]}]`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import { IDENTIFIER } from '../name/char-classes.js';

/** One trusted public key and the namespaces whose names' reductions it may sign. */
export interface TrustedKey {
  /** The public key, `name:base64` (Nix's format); rows it signed are recorded with this text. */
  readonly key: string;
  /** Namespace ids it is trusted for, or `'*'` for every namespace. */
  readonly namespaces: readonly string[] | '*';
  /** Where it was configured (a file, or `--trusted-key`), for messages. */
  readonly source: string;
}

const KEY = /^[A-Za-z0-9._+-]+:[A-Za-z0-9+/]{43}=$/;

function bad(text: string, source: string, why: string): NomiaError {
  return new NomiaError('usage', `${source}: ${JSON.stringify(text)} is not a trusted key: ${why}`, {
    hint: 'write NAME:BASE64 (every namespace) or NAME:BASE64@deb:*,git:* (those namespaces only); `nomia key public` prints NAME:BASE64',
  });
}

/** The namespace id a scope `ID:*` names, `'*'` for `*`; throws `usage` for anything else. */
function scopeOf(scope: string, text: string, source: string): string {
  if (scope === '*') return '*';
  const id = scope.endsWith(':*') ? scope.slice(0, -2) : '';
  if (!IDENTIFIER.test(id)) throw bad(text, source, `the scope ${JSON.stringify(scope)} is neither * nor ID:* (a namespace id, e.g. deb:*)`);
  return id;
}

/**
 * Read one trusted key: `name:base64` (every namespace) or `name:base64@SCOPE,…` where a scope is
 * `ID:*` (the names of the namespace ID) or `*`. Throws `usage`, naming `source`, for anything else.
 */
export function parseTrustedKey(text: string, source: string): TrustedKey {
  const at = text.indexOf('@');
  const key = (at < 0 ? text : text.slice(0, at)).trim();
  if (!KEY.test(key)) throw bad(text, source, 'the key is not NAME:BASE64 of 32 bytes');
  if (at < 0) return { key, namespaces: '*', source };
  const scopes = text.slice(at + 1).split(',').map((s) => scopeOf(s.trim(), text, source));
  return { key, namespaces: scopes.includes('*') ? '*' : [...new Set(scopes)], source };
}

/** One entry of `trusted-public-keys`: a string as `parseTrustedKey` reads it, or `{"key", "namespaces"}`. */
function entryOf(x: unknown, file: string): TrustedKey {
  if (typeof x === 'string') return parseTrustedKey(x, file);
  const o = x as { key?: unknown; namespaces?: unknown } | null;
  if (typeof o === 'object' && o !== null && typeof o.key === 'string' && Array.isArray(o.namespaces) && o.namespaces.length > 0 && o.namespaces.every((s) => typeof s === 'string')) {
    return parseTrustedKey(`${o.key}@${(o.namespaces as string[]).join(',')}`, file);
  }
  throw new NomiaError('usage', `${file}: an entry of "trusted-public-keys" must be "NAME:BASE64" or {"key": "NAME:BASE64", "namespaces": ["deb:*"]}`);
}

/** The trusted keys of `files` (weakest first, missing ones skipped) and of `--trusted-key` flags. */
export function loadTrustedKeys(files: readonly string[], flags: readonly string[] = []): TrustedKey[] {
  const out: TrustedKey[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let json: { 'trusted-public-keys'?: unknown };
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
    } catch (e) {
      throw new NomiaError('usage', `${file} is not valid JSON: ${(e as Error).message}`);
    }
    const list = json['trusted-public-keys'];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new NomiaError('usage', `${file}: "trusted-public-keys" must be an array`, { hint: '{"trusted-public-keys": ["NAME:BASE64"]}' });
    out.push(...list.map((x) => entryOf(x, file)));
  }
  out.push(...flags.map((f) => parseTrustedKey(f, '--trusted-key')));
  return out;
}

/**
 * Whether `trust` lets the key `key` (`name:base64`) speak for names of the namespace spelled `spelling`;
 * `spellingOf` gives a configured id's spelling (undefined for an id this registry does not know, which
 * then covers nothing). Aliases share their namespace's spelling, so `fs:*` and `filesystem:*` are one.
 */
export function signerCovers(trust: readonly TrustedKey[], key: string, spelling: string, spellingOf: (id: string) => string | undefined): boolean {
  return trust.some((t) => t.key === key && (t.namespaces === '*' || t.namespaces.some((id) => spellingOf(id) === spelling)));
}
