/**
 * The namespace of namespaces: which implementation a namespace id means.
 * Built-in defaults, then the user's config (`$XDG_CONFIG_HOME/nomia/config.json`,
 * default `~/.config/nomia/config.json`), then the project's `nomia.json`
 * (in the working directory); later ones win. Each maps ids to an external
 * command speaking the protocol of `docs/spec/protocol.md`, or to a built-in:
 *
 *   { "namespaces": { "upper": { "command": ["python3", "examples/namespaces/upper.py"] },
 *                     "fs": { "builtin": "filesystem" } } }
 *
 * Relative paths in a command are relative to the config file's directory.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import { signerCovers, type TrustedKey } from './trust.js';
import { didYouMean } from './suggest.js';
import type { Namespace } from './types.js';

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

export interface Registry {
  get(id: string): Namespace;
  /**
   * The namespace a `namespace` resource stands for (its value is the JSON
   * spec `{"builtin": id}` or `{"command": [...]}`), for named namespaces.
   * Processes it starts are closed with the registry.
   */
  fromResource(value: string, label: string): Namespace;
  /**
   * The namespace `id` if it runs in this process (a built-in, or an id
   * configured to mean one), without starting anything; undefined for an
   * external or unknown id.
   */
  local(id: string): Namespace | undefined;
  /** The namespace's spelling, without starting it. */
  spelling(id: string): string;
  ids(): string[];
  /** The keys whose signed reductions may be followed, each for the namespaces it is trusted for (trust.ts). */
  readonly trust: readonly TrustedKey[];
  /**
   * Whether a reduction signed by `key` (`name:base64`) speaks for names of the namespace spelled
   * `spelling`: the key is trusted for every namespace or for an id spelled so here.
   */
  trustsSigner(key: string, spelling: string): boolean;
  close(): Promise<void>;
}

/** How external namespaces are started; supplied by the protocol client. */
export type ExternalFactory = (spec: ExternalSpec) => Namespace;

/** The configuration files, weakest first: the user's, then the project's `nomia.json` in `cwd`. */
export function configFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const userDir = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return [join(userDir, 'nomia', 'config.json'), join(cwd, 'nomia.json')];
}

/** Spell an external namespace from its id, its argv and the contents of every argv element that is a file. */
function externalSpelling(id: string, command: readonly string[]): string {
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

export function createRegistry(builtins: readonly Namespace[], configured: readonly (ExternalSpec | AliasSpec)[], startExternal?: ExternalFactory, trust: readonly TrustedKey[] = []): Registry {
  const table = new Map<string, Namespace | ExternalSpec>();
  for (const ns of builtins) table.set(ns.id, ns);
  for (const spec of configured) {
    if ('builtin' in spec) {
      const ns = builtins.find((b) => b.id === spec.builtin);
      if (!ns) throw new NomiaError('usage', `${spec.source}: namespaces.${spec.id}.builtin: there is no built-in namespace \`${spec.builtin}\``, { hint: `built-ins: ${builtins.map((b) => b.id).join(', ')}` });
      // The same implementation and spelling: an alias names the same names.
      table.set(spec.id, ns);
    } else {
      table.set(spec.id, spec);
    }
  }
  const started = new Map<string, Namespace>();
  const entryOf = (id: string) => {
    const entry = table.get(id);
    if (!entry) {
        throw new NomiaError('usage', `there is no namespace \`${id}\`${didYouMean(id, table.keys())}`, {
        hint: `known namespaces: ${[...table.keys()].sort().join(', ')}; configure others in nomia.json ("namespaces")`,
      });
    }
    return entry;
  };
  const named = new Map<string, Namespace>();
  return {
    fromResource(value, label) {
      let spec: { builtin?: unknown; command?: unknown };
      try {
        spec = JSON.parse(value) as typeof spec;
      } catch {
        throw new NomiaError('usage', `${label} is not a namespace`);
      }
      if (typeof spec.builtin === 'string') {
        const ns = builtins.find((b) => b.id === spec.builtin);
        if (!ns) throw new NomiaError('usage', `${label}: there is no built-in namespace \`${spec.builtin}\``, { hint: `built-ins: ${builtins.map((b) => b.id).join(', ')}` });
        return ns;
      }
      const command = spec.command;
      if (!Array.isArray(command) || !command.every((c) => typeof c === 'string')) throw new NomiaError('usage', `${label} is not a namespace`);
      let ns = named.get(value);
      if (!ns) {
        if (!startExternal) throw new NomiaError('usage', `${label} is external and this build cannot start external namespaces`);
        ns = startExternal({ id: label, command, source: label, spelling: externalSpelling(label, command) });
        named.set(value, ns);
      }
      return ns;
    },
    spelling: (id) => entryOf(id).spelling,
    local(id) {
      const entry = table.get(id);
      return entry && 'realize' in entry ? entry : undefined;
    },
    get(id) {
      const entry = entryOf(id);
      if ('realize' in entry) return entry;
      let ns = started.get(id);
      if (!ns) {
        if (!startExternal) throw new NomiaError('usage', `the namespace \`${id}\` is external and this build cannot start external namespaces`);
        ns = startExternal(entry);
        started.set(id, ns);
      }
      return ns;
    },
    ids: () => [...table.keys()].sort(),
    trust,
    trustsSigner: (key, spelling) => signerCovers(trust, key, spelling, (id) => table.get(id)?.spelling),
    async close() {
      await Promise.all([...started.values(), ...named.values()].map((ns) => ns.close?.()));
    },
  };
}

