/**
 * The caches a run asks, from the command line and configuration
 * (docs/cache.md, "Configuration"), mirroring Nix's `substituters`: the
 * user's config.json, then the project's nomia.json, then `--substituter`,
 * all added together. A project's caches come from its own nomia.json, so
 * they count only for realizes run in that project. Which keys are trusted,
 * for which namespaces, is the namespace of namespaces' word
 * (src/namespace/trust.ts): the caller passes them in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NomiaError } from '../errors.js';
import type { CacheSettings } from './substituters.js';

/** What the command line adds. */
export interface CacheFlags {
  readonly substituters?: readonly string[];
  /** Ask no cache at all. */
  readonly offline?: boolean;
}

function strings(file: string, json: Record<string, unknown>, key: string): string[] {
  const v = json[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new NomiaError('usage', `${file}: "${key}" must be an array of strings`, { hint: `{"${key}": ["…"]}` });
  }
  return v as string[];
}

/** The settings from `files` (weakest first) and `flags`; signatures are checked against `trusted` (each `name:base64`). */
export function cacheSettings(files: readonly string[], trusted: readonly { readonly key: string }[], flags: CacheFlags = {}): CacheSettings {
  if (flags.offline) return { substituters: [], trustedKeys: [] };
  const substituters: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new NomiaError('usage', `${file} is not valid JSON: ${(e as Error).message}`);
    }
    substituters.push(...strings(file, json, 'substituters'));
  }
  substituters.push(...(flags.substituters ?? []));
  const trustedKeys = trusted.map((t) => t.key);
  const timeout = Number(process.env['NOMIA_CACHE_TIMEOUT_MS']);
  return { substituters: [...new Set(substituters)], trustedKeys: [...new Set(trustedKeys)], ...(timeout > 0 ? { timeoutMs: timeout } : {}) };
}

/** Where `nomia key generate` keeps the secret key: `$XDG_CONFIG_HOME/nomia/signing-key` (default `~/.config`). */
export function signingKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'nomia', 'signing-key');
}
