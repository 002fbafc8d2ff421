/**
 * A namespace whose implementation is loaded on first use. The CLI wraps
 * configured external namespaces in it, so that the protocol client and its
 * JSON-RPC library are loaded only when such a namespace is called: start-up
 * time is most of a no-op realize.
 */
import { NomiaError } from '../errors.js';
import type { Namespace } from './types.js';

/** `id` and `spelling` are known at once; everything else waits for `load()`, called at most once. */
export function deferredNamespace(id: string, spelling: string, load: () => Promise<Namespace>): Namespace {
  let loaded: Promise<Namespace> | undefined;
  const ns = () => (loaded ??= load());
  return {
    id,
    spelling,
    describe: async (req) => (await ns()).describe(req),
    spell: async (req, inputs) => (await ns()).spell?.(req, inputs),
    reduce: async (req, context) => (await ns()).reduce?.(req, context),
    realize: async (req, inputs, ctx) => (await ns()).realize(req, inputs, ctx),
    realizeKnot: async (members, ctx) => {
      const real = await ns();
      if (!real.realizeKnot) throw new NomiaError('namespace/contract', `namespace ${id} says its names tie knots but it cannot (it has no realizeKnot)`);
      return real.realizeKnot(members, ctx);
    },
    close: async () => {
      if (loaded) await (await loaded).close?.();
    },
  };
}
