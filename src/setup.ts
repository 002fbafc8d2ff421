/**
 * Setting up a realize the way the CLI does, for any program: the registry
 * of namespaces (the built-ins, loaded on first use, with the sandbox chosen, and those
 * configured in nomia.json, started as processes on first use) and the run
 * context of this process.
 */
import { configFiles, createRegistry, loadExternalSpecs, type ExternalFactory, type Registry } from './namespace/registry.js';
import { loadTrustedKeys } from './namespace/trust.js';
import type { RunContext } from './namespace/types.js';
import { deferredNamespace } from './namespace/deferred.js';
import { lazyBuiltinNamespaces } from './namespaces/lazy.js';
import type { SandboxMode } from './namespaces/package/sandbox.js';

/**
 * External namespaces run as child processes speaking docs/spec/protocol.md. The client is loaded
 * when one is first called, not at start-up.
 */
export const startExternal: ExternalFactory = (spec) => deferredNamespace(spec.id, spec.spelling, async () => {
  const { ExternalNamespace } = await import('./namespace/protocol/client.js');
  return new ExternalNamespace({ id: spec.id, spelling: spec.spelling, command: [...spec.command] });
});

export interface RegistryOptions {
  /** `none`: builds run without bubblewrap (`--sandbox=none`, an explicit and logged opt-out). */
  readonly sandbox?: SandboxMode;
  /** `--trusted-key` flags, added to the config files' `trusted-public-keys` (namespace/trust.ts). */
  readonly trustedKeys?: readonly string[];
}

/**
 * The namespace of namespaces for a project in `cwd`: built-ins (`options.sandbox` for builds) and
 * nomia.json's namespaces, and the signers trusted there (the user's and the project's, and `options.trustedKeys`).
 */
export function registry(cwd = process.cwd(), options: RegistryOptions = {}): Registry {
  // Each built-in is loaded when first used (namespaces/lazy.ts): start-up time is most of a small command.
  return createRegistry(lazyBuiltinNamespaces(options.sandbox), loadExternalSpecs(cwd), startExternal, loadTrustedKeys(configFiles(cwd), options.trustedKeys));
}

/**
 * The context enters once per run: one time, one environment, one working directory.
 * @param cwd the directory relative paths in the name start at: the process's, or a name file's (`-f FILE`).
 */
export function runContext(cwd = process.cwd()): RunContext {
  let stdinTaken = false;
  return {
    env: { ...process.env },
    cwd,
    now: Date.now(),
    stdin: () => {
      if (stdinTaken) throw new Error('standard input can be read once per run');
      stdinTaken = true;
      return process.stdin;
    },
  };
}
