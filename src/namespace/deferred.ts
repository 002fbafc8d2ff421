/**
 * A namespace whose implementation is loaded on first use. The CLI wraps
 * configured external namespaces in it, so that the protocol client and its
 * JSON-RPC library are loaded only when such a namespace is called: start-up
 * time is most of a no-op realize.
 */
import { NomiaError } from '../errors.js';
import type { Namespace } from './types.js';

/** Which optional methods the loaded namespace has; the engine takes a different path for each one present. */
export interface DeferredCapabilities {
  readonly spell?: boolean;
  readonly reduce?: boolean;
  readonly knots?: boolean;
}

/**
 * `id` and `spelling` are known at once; everything else waits for `load()`, called at most once.
 * With `has`, only the optional methods it names are offered (a built-in whose members are known); without
 * it every one is, and answers as the loaded namespace does (an external one, known only once started).
 */
export function deferredNamespace(id: string, spelling: string, load: () => Promise<Namespace>, has?: DeferredCapabilities): Namespace {
  let loaded: Promise<Namespace> | undefined;
  const ns = () => (loaded ??= load());
  const spell: Namespace['spell'] = async (req, inputs) => (await ns()).spell?.(req, inputs);
  const reduce: Namespace['reduce'] = async (req, context) => (await ns()).reduce?.(req, context);
  const realizeKnot: Namespace['realizeKnot'] = async (members, ctx) => {
    const real = await ns();
    if (!real.realizeKnot) throw new NomiaError('namespace/contract', `namespace ${id} says its names tie knots but it cannot (it has no realizeKnot)`);
    return real.realizeKnot(members, ctx);
  };
  return {
    id,
    spelling,
    describe: async (req) => (await ns()).describe(req),
    ...(!has || has.spell ? { spell } : {}),
    ...(!has || has.reduce ? { reduce } : {}),
    realize: async (req, inputs, ctx) => (await ns()).realize(req, inputs, ctx),
    ...(!has || has.knots ? { realizeKnot } : {}),
    close: async () => {
      if (loaded) await (await loaded).close?.();
    },
  };
}
