/**
 * The namespaces configured for a directory: the user's config
 * (`$XDG_CONFIG_HOME/nomia/config.json`, default `~/.config/nomia/config.json`),
 * then the project's `nomia.json` (in the working directory); later ones win
 * (registry.ts builds the registry from them). A module of its own so that
 * what the memo's key needs (cli/realize-memo.ts) loads nothing else of the
 * registry.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';

/** An id configured to mean a built-in namespace under another name: `{"fs": {"builtin": "filesystem"}}`. */
export interface AliasSpec {
  readonly id: string;
  readonly builtin: string;
  readonly source: string;
}

export interface ExternalSpec {
  readonly id: string;
  readonly command: readonly string[];
  /** Where it was configured, for messages. */
  readonly source: string;
  /** `external:<id>@sha256-of-argv-and-files`: a peer cannot take another's spelling. */
  readonly spelling: string;
}

/** The configuration files, weakest first: the user's, then the project's `nomia.json` in `cwd`. */
export function configFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const userDir = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return [join(userDir, 'nomia', 'config.json'), join(cwd, 'nomia.json')];
}

/** Spell an external namespace from its id, its argv and the contents of every argv element that is a file. */
export function externalSpelling(id: string, command: readonly string[]): string {
  const h = createHash('sha256').update(JSON.stringify([id, command]));
  for (const arg of command) {
    if (isAbsolute(arg) && existsSync(arg) && statSync(arg).isFile()) h.update(readFileSync(arg));
  }
  return `external:${id}@${h.digest('hex').slice(0, 32)}`;
}

/** Read the configured external namespaces. Bad config is a clear error naming the file. */
export function loadExternalSpecs(cwd: string, env: NodeJS.ProcessEnv = process.env): (ExternalSpec | AliasSpec)[] {
  const specs = new Map<string, ExternalSpec | AliasSpec>();
  for (const file of configFiles(cwd, env)) {
    if (!existsSync(file)) continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new NomiaError('usage', `${file} is not valid JSON: ${(e as Error).message}`);
    }
    const namespaces = (json as { namespaces?: unknown }).namespaces;
    if (namespaces === undefined) continue;
    if (typeof namespaces !== 'object' || namespaces === null) throw new NomiaError('usage', `${file}: "namespaces" must be an object`);
    for (const [id, value] of Object.entries(namespaces)) {
      const builtin = (value as { builtin?: unknown }).builtin;
      if (builtin !== undefined) {
        if (typeof builtin !== 'string') throw new NomiaError('usage', `${file}: namespaces.${id}.builtin must be the id of a built-in namespace`);
        specs.set(id, { id, builtin, source: file });
        continue;
      }
      const command = (value as { command?: unknown }).command;
      if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string')) {
        throw new NomiaError('usage', `${file}: namespaces.${id}.command must be a non-empty array of strings`, { hint: '{"namespaces": {"x": {"command": ["python3", "x.py"]}}}' });
      }
      // Relative paths (not bare program names) are relative to the config file.
      const argv = (command as string[]).map((c) => (c.includes('/') && !isAbsolute(c) ? resolve(dirname(file), c) : c));
      specs.set(id, { id, command: argv, source: file, spelling: externalSpelling(id, argv) });
    }
  }
  return [...specs.values()];
}
