/**
 * An open store: its layout and database. Operations (add, import, gc,
 * verify, roots) are separate modules that take a `Store`, so that this
 * stays a narrow handle rather than one wide interface.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import { StoreDatabase, type ObjectRow } from './database.js';
import type { ContentHash } from './hash.js';
import { ensureLayout, layoutOf, storeHome, type StoreLayout } from './layout.js';

export interface StoreOptions {
  /** The store's home directory; default from `storeHome()`. */
  readonly dir?: string;
  /**
   * Flush new objects to disk before registering them (default true). Off,
   * a power loss may leave registered objects with lost contents (a process
   * crash never does); Nix's default is off.
   */
  readonly fsync?: boolean;
  /**
   * Open for reading only (the commands that only read: path, cat, ls, roots, verify, log, …): the
   * store is not created, its database is opened read-only, so a store of another user or on a
   * read-only mount can be read. Writes then fail as `store/read-only`. A store that does not exist
   * yet is created as usual.
   */
  readonly readOnly?: boolean;
}

export interface Store {
  readonly layout: StoreLayout;
  readonly db: StoreDatabase;
  readonly fsync: boolean;
  close(): void;
}

export function openStore(options: StoreOptions = {}): Store {
  const layout = layoutOf(storeHome(options.dir));
  const readOnly = options.readOnly === true && existsSync(layout.dbPath);
  if (!readOnly) ensureLayout(layout);
  const env = process.env['NOMIA_FSYNC'];
  const fsync = options.fsync ?? (env === undefined ? true : env !== '0');
  let db: StoreDatabase;
  try {
    db = new StoreDatabase(layout.dbPath, { durable: fsync, readOnly });
  } catch (e) {
    // A database whose set-up was cut short (the first command on the store was killed) is finished
    // by whoever may write it, even when it only came to read.
    if (!readOnly || !(e instanceof NomiaStoreError) || e.code !== 'store/read-only' || !canWrite(layout.home)) throw e;
    ensureLayout(layout);
    db = new StoreDatabase(layout.dbPath, { durable: fsync });
  }
  return { layout, db, fsync, close: () => db.close() };
}

function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The store entry (`<hash>-<name>`) a path inside the store lies in, or undefined for a path elsewhere. */
export function entryOf(store: Store, path: string): string | undefined {
  const rel = relative(store.layout.storeDir, path);
  if (!rel || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep)[0];
}

export function realPath(store: Store, object: ObjectRow | string): string {
  return join(store.layout.storeDir, typeof object === 'string' ? object : object.path);
}

/**
 * Find a registered object by hash, and by name when given. Without a name,
 * any object with that content will do (the first by path).
 */
export function findObject(store: Store, hash: ContentHash, name?: string): ObjectRow | undefined {
  const rows = store.db.objectsWithHash(hash);
  return name === undefined ? rows[0] : rows.find((r) => r.name === name);
}

export function requireObject(store: Store, hash: ContentHash, name?: string): ObjectRow {
  const row = findObject(store, hash, name);
  if (!row) {
    throw new NomiaStoreError('store/not-found', `no object with sha256 ${hash}${name === undefined ? '' : ` and name ${name}`} is in the store ${store.layout.home}`, {
      hint: 'add it with `nomia add PATH` or `nomia import < file.nar`; `nomia ls` lists nothing until then',
    });
  }
  return row;
}
