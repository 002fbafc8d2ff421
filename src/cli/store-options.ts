/** The global `--store DIR` option and opening the store a command works on. */
import { accessSync, constants } from 'node:fs';
import type { Command } from 'commander';
import { storeHome } from '../store/layout.js';
import { pruneTempRoots } from '../store/roots.js';
import { openStore, type Store } from '../store/store.js';

export interface OpenOptions {
  /**
   * The command only reads (path, cat, ls, roots, verify, log, …): open the database read-only, so a
   * store the user may read but not write works, and register no temporary roots. `if-needed`: only
   * when this process may not write the store (for a command that tidies as it reads, like `roots`).
   */
  readonly readOnly?: boolean | 'if-needed';
  /**
   * Drop the temporary roots of exited processes now (default), or leave that to the caller
   * (`pruneTempRoots`): the realize's memo path prunes only once it has an answer, so a miss writes nothing.
   */
  readonly prune?: boolean;
}

/** Whether this process may write the store at `home` (a missing store counts as writable: it is created). */
function writable(home: string): boolean {
  try {
    accessSync(home, constants.W_OK);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

export function storeOf(cmd: Command, options: OpenOptions = {}): Store {
  return openStoreAt((cmd.optsWithGlobals() as { store?: string }).store, options);
}

/**
 * A store a lean path opened (writable, not tidied) and found no answer in: the full command of the same
 * process takes it instead of opening the store a second time (a database open, its schema check and a
 * `/proc` read of the temporary roots' holders).
 */
let handedOn: { readonly home: string; readonly store: Store } | undefined;

/** Leave `store`, opened at `home` by a lean path that did not answer, to the full command that follows in this process. */
export function handOnStore(home: string, store: Store): void {
  closeHandedOn();
  handedOn = { home, store };
}

/** The store handed on for `home`, now the caller's to close; undefined (and one handed on for another home closed) otherwise. */
export function takeHandedOn(home: string): Store | undefined {
  const handed = handedOn;
  handedOn = undefined;
  if (handed?.home === home) return handed.store;
  handed?.store.close();
  return undefined;
}

/** Close a store handed on that no command took (main.ts, once the command is done). */
export function closeHandedOn(): void {
  const left = handedOn;
  handedOn = undefined;
  left?.store.close();
}

/** The store at `dir` (`--store`; undefined: the default), opened as every command opens it. */
export function openStoreAt(dir: string | undefined, options: OpenOptions = {}): Store {
  const readOnly = options.readOnly === 'if-needed' ? !writable(storeHome(dir)) : options.readOnly === true;
  const store = (readOnly ? undefined : takeHandedOn(storeHome(dir))) ?? openStore({ ...(dir === undefined ? {} : { dir }), readOnly });
  // The temporary roots of processes that have exited hold nothing; drop them on every writing open.
  if (options.prune === false) return store;
  try {
    pruneTempRoots(store);
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/** Run `f` on the command's store and close it afterwards. */
export async function withStore<T>(cmd: Command, f: (store: Store) => T | Promise<T>, options: OpenOptions = {}): Promise<T> {
  const store = storeOf(cmd, options);
  try {
    return await f(store);
  } finally {
    store.close();
  }
}
