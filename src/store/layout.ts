/**
 * Where a store lives on disk (DESIGN.md §6):
 *
 *   $NOMIA_HOME/            default /var/lib/nomia where this process may create or write it,
 *                           else ~/.local/share/nomia (`storeHome`); `--store DIR` overrides
 *     store/<base32>-<name>   materialized objects, read-only, normalized metadata
 *     db.sqlite               objects, references, roots, reductions (WAL)
 *     tmp/                    work in progress; same file system as store/ so rename is atomic
 *     trash/                  objects being deleted by gc, outside the store namespace
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NomiaStoreError } from '../errors.js';

export interface StoreLayout {
  readonly home: string;
  readonly storeDir: string;
  readonly tmpDir: string;
  readonly trashDir: string;
  readonly dbPath: string;
}

/**
 * The canonical store home. An object that refers to store paths is valid only under the store directory
 * it was built in, so a result is shared between users and machines (through a binary cache) when their
 * stores sit at one path: this one, as Nix's are all at /nix/store (docs/store.md, "Where the store is").
 */
export const SHARED_HOME = '/var/lib/nomia';

/** Whether `dir` is a directory this process may write, or does not exist and could be created (its parent may be written). */
function canHold(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    try {
      accessSync(dirname(dir), constants.W_OK | constants.X_OK);
      return statSync(dirname(dir)).isDirectory();
    } catch {
      return false;
    }
  }
}

/**
 * The store home: an explicit `dir`, else `$NOMIA_HOME`, else `shared` (/var/lib/nomia) when this process
 * may write it or create it (root, or a user an administrator gave the directory to), else the per-user
 * `$XDG_DATA_HOME/nomia` (default `~/.local/share/nomia`).
 */
export function storeHome(dir?: string, env: NodeJS.ProcessEnv = process.env, shared: string = SHARED_HOME): string {
  if (dir) return resolve(dir);
  if (env['NOMIA_HOME']) return resolve(env['NOMIA_HOME']);
  if (canHold(shared)) return shared;
  const data = env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share');
  return join(data, 'nomia');
}

export function layoutOf(home: string): StoreLayout {
  return {
    home,
    storeDir: join(home, 'store'),
    tmpDir: join(home, 'tmp'),
    trashDir: join(home, 'trash'),
    dbPath: join(home, 'db.sqlite'),
  };
}

/** Create the directories of a store if needed; a store that cannot be created or written is a clear error. */
export function ensureLayout(layout: StoreLayout): void {
  for (const dir of [layout.home, layout.storeDir, layout.tmpDir, layout.trashDir]) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw ioError(e, dir, 'create the store directory');
    }
  }
  if (!statSync(layout.storeDir).isDirectory()) {
    throw new NomiaStoreError('store/io', `${layout.storeDir} is not a directory`, { path: layout.storeDir });
  }
}

/** Turn a Node file-system error into a NomiaStoreError that says what we were doing and how to fix it. */
export function ioError(e: unknown, path: string, doing: string): NomiaStoreError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new NomiaStoreError('store/no-space', `no space left on the device while trying to ${doing} (${path})`, {
      path, cause: e, hint: 'free some space (e.g. `nomia gc`) and try again; the store was left unchanged',
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new NomiaStoreError('store/read-only', `permission denied: cannot ${doing} (${path})`, {
      path, cause: e, hint: 'use a store you can write (`--store DIR` or NOMIA_HOME), or fix the permissions',
    });
  }
  if (code === 'ENOENT') {
    return new NomiaStoreError('store/io', `cannot ${doing}: ${path} does not exist`, { path, cause: e });
  }
  return new NomiaStoreError('store/io', `cannot ${doing} (${path}): ${(e as Error).message}`, { path, cause: e });
}
