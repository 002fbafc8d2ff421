/** What the engine commands share: the registry of namespaces and the run context of this process. */
import { createRegistry, loadExternalSpecs, type ExternalFactory, type Registry } from '../namespace/registry.js';
import type { RunContext } from '../namespace/types.js';
import { builtinNamespaces } from '../namespaces/index.js';
import { deferredNamespace } from '../namespace/deferred.js';

/**
 * External namespaces run as child processes speaking docs/spec/protocol.md. The client is loaded
 * when one is first called, not at start-up.
 */
const startExternal: ExternalFactory = (spec) => deferredNamespace(spec.id, spec.spelling, async () => {
  const { ExternalNamespace } = await import('../namespace/protocol/client.js');
  return new ExternalNamespace({ id: spec.id, spelling: spec.spelling, command: [...spec.command] });
});

export function registry(cwd = process.cwd()): Registry {
  return createRegistry(builtinNamespaces, loadExternalSpecs(cwd), startExternal);
}

/** The context enters once per run: one time, one environment, one working directory. */
export function runContext(): RunContext {
  let stdinTaken = false;
  return {
    env: { ...process.env },
    cwd: process.cwd(),
    now: Date.now(),
    stdin: () => {
      if (stdinTaken) throw new Error('standard input can be read once per run');
      stdinTaken = true;
      return process.stdin;
    },
  };
}
