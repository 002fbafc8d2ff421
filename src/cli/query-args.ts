/**
 * The arguments of the query commands (`why-depends`, `path-info`,
 * `referrers`, `rdeps`, `diff-closures`): each names store objects, as a
 * store path, a hash or a by-content name (what the store commands take,
 * object-ref.ts), or as any name realized before, whose recorded results are
 * looked up without building anything (engine/recorded-results.ts).
 */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import type { Registry } from '../namespace/registry.js';
import { parseByContentName } from '../resource/by-content.js';
import { tryParseContentHash } from '../store/hash.js';
import type { Store } from '../store/store.js';
import { locate, parseObjectRef } from './object-ref.js';
import { withStore } from './store-options.js';

/** What an argument of a query may be, for help texts. */
export const QUERY_ARG_HELP = 'a name realized before (its results), a by-content name, a store path or a hash';

/** The store a query reads and how its arguments are read there. */
export interface QueryContext {
  readonly store: Store;
  /** The objects (store entries) an argument names: one, or a realized name's results. */
  objects(text: string): Promise<string[]>;
  /** The one object an argument names; a `usage` error if it names several. */
  object(text: string): Promise<string>;
  /** The absolute path of a store entry, as printed. */
  full(entry: string): string;
  /** The namespace of namespaces (for queries over recorded names), set up on first use. */
  registry(): Promise<Registry>;
}

function isObjectRef(text: string): boolean {
  const t = text.trim();
  return t.startsWith('/') || t.startsWith('.') || tryParseContentHash(t) !== undefined || parseByContentName(t) !== undefined;
}

/** Reads arguments as objects on a store: see `objectsNamed`. */
export interface ObjectNames {
  /** The objects (store entries) an argument names: one, or a realized name's results. */
  objects(text: string): Promise<string[]>;
  /** The namespace of namespaces, set up on first use. */
  registry(): Promise<Registry>;
  /** Closes the registry, if it was set up. */
  close(): Promise<void>;
}

/**
 * How arguments name objects on `store`: an object reference directly, any
 * other name by its recorded results (`query/not-realized` if it has none;
 * nothing is built).
 */
export function objectsNamed(store: Store): ObjectNames {
  // Loaded only for names: the namespaces' code is most of the start-up of a query on store paths.
  let reg: Registry | undefined;
  const registry = async (): Promise<Registry> => (reg ??= (await import('../setup.js')).registry());
  return {
    registry,
    objects: async (text) => {
      if (isObjectRef(text)) return [locate(store, parseObjectRef(text, store)).object.path];
      const { recordedObjects } = await import('../engine/recorded-results.js');
      return recordedObjects(store, text, await registry());
    },
    close: async () => {
      await reg?.close();
    },
  };
}

/** Run a query on the command's store, read-only. */
export async function withQuery<T>(cmd: Command, f: (q: QueryContext) => T | Promise<T>): Promise<T> {
  return withStore(cmd, async (store) => {
    const { objects, registry, close } = objectsNamed(store);
    const q: QueryContext = {
      store, registry, objects,
      object: async (text) => {
        const found = await objects(text);
        if (found.length > 1) {
          throw new NomiaError('usage', `${text} has ${found.length} results: ${found.join(', ')}`, { hint: 'name one of them by its store path' });
        }
        return found[0]!;
      },
      full: (entry) => `${store.layout.storeDir}/${entry}`,
    };
    try {
      return await f(q);
    } finally {
      await close();
    }
  }, { readOnly: true });
}
