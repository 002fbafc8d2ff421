/** The global `--store DIR` option and opening the store a command works on. */
import type { Command } from 'commander';
import { openStore, type Store } from '../store/store.js';

export function storeOf(cmd: Command): Store {
  const opts = cmd.optsWithGlobals() as { store?: string };
  return openStore(opts.store === undefined ? {} : { dir: opts.store });
}

/** Run `f` on the command's store and close it afterwards. */
export async function withStore<T>(cmd: Command, f: (store: Store) => T | Promise<T>): Promise<T> {
  const store = storeOf(cmd);
  try {
    return await f(store);
  } finally {
    store.close();
  }
}
