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
import { NomiaError } from '../errors.js';
import { externalSpelling, type AliasSpec, type ExternalSpec } from './config.js';
import { signerCovers, type TrustedKey } from './trust.js';
import { didYouMean } from './suggest.js';
import type { Namespace } from './types.js';

export { configFiles, loadExternalSpecs, type AliasSpec, type ExternalSpec } from './config.js';

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

