/**
 * A user's private store: an ordinary store (store/, tmp/, trash/,
 * db.sqlite) under `<store home>/private/<uid>/`, a directory of mode 0700
 * owned by the user, so nobody else but root can look inside it, not even to
 * learn the names, sizes or number of its objects.
 *
 *   <home>/private/          sticky, writable by whoever can write <home>: users make their own entry
 *   <home>/private/<uid>/    0700, owned by the user
 *     store/ tmp/ trash/ db.sqlite   as in any store (docs/store.md)
 *
 * Safety against a swap. Whoever can write <home> could rename `private/`
 * and put a directory of their own in its place, hoping the next add
 * writes there. So the user's directory is opened once, without following
 * a symlink, its owner and mode are checked on the open descriptor, and
 * every later access goes through `/proc/<pid>/fd/<n>`: it reaches the
 * checked directory whatever is renamed meanwhile.
 *
 * Root may work in anyone's private store; what it creates there is given
 * to the user (chown), so that the user can keep using and collecting it.
 */
import { chmodSync, closeSync, constants, existsSync, fstatSync, lchownSync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { NomiaError } from '../errors.js';
import { entries } from './fs-util.js';
import type { FsPath } from './nar.js';
import { openStore, type Store } from './store.js';
import type { UnixUser } from './users.js';

export interface PrivateStore {
  /** The store, reached through the checked directory descriptor. */
  readonly store: Store;
  /** Its directory as users see it, for the paths handed out. */
  readonly home: string;
  /** The path of an object as users see it (valid after `close`). */
  objectPath(path: string): string;
  /** After root added `path` (an object path): give it to the owner. */
  adopt(path: string): void;
  /** `e`, with the descriptor path in its message replaced by the directory users know. */
  explain(e: unknown): unknown;
  close(): void;
}

/** `<home>/private/<uid>`: where the private store of `owner` lives in the store at `sharedHome`. */
export function privateHome(sharedHome: string, owner: UnixUser): string {
  return join(sharedHome, 'private', String(owner.uid));
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Create `<home>/private/`: sticky (nobody removes another's entry) and as writable as the store home. */
function ensurePrivateRoot(sharedHome: string): string {
  const root = join(sharedHome, 'private');
  try {
    mkdirSync(root);
    chmodSync(root, (statSync(sharedHome).mode & 0o2777) | 0o1000);
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
  }
  return root;
}

function notPrivate(dir: string, owner: UnixUser, what: string): NomiaError {
  return new NomiaError('private/permission', `the private store ${dir} of ${owner.name} is not private: ${what}; nothing was read from it or written to it`, {
    hint: `check who could have read it; then make it the user's own again (as root: chown -R ${owner.uid} ${dir} && chmod 700 ${dir}), or remove it`,
  });
}

function check(dir: string, owner: UnixUser, st: Stats): void {
  if (!st.isDirectory()) throw notPrivate(dir, owner, 'it is not a directory');
  if (st.uid !== owner.uid) throw notPrivate(dir, owner, `it belongs to uid ${st.uid}`);
  if ((st.mode & 0o077) !== 0) throw notPrivate(dir, owner, `its mode is ${(st.mode & 0o7777).toString(8)}, not 700`);
}

function chownTree(p: FsPath, owner: UnixUser): void {
  lchownSync(p, owner.uid, owner.gid);
  if (lstatSync(p).isDirectory()) for (const e of entries(p)) chownTree(e.path, owner);
}

/**
 * Open the private store of `owner`, as `owner` or as root (the caller has
 * checked that). `create`: make it if it does not exist yet; otherwise a
 * missing private store gives undefined.
 */
export function openPrivateStore(sharedHome: string, owner: UnixUser, options: { create: boolean; fsync: boolean }): PrivateStore | undefined {
  const asRoot = process.geteuid?.() === 0;
  const dir = privateHome(sharedHome, owner);
  if (!existsSync(dir)) {
    if (!options.create) return undefined;
    ensurePrivateRoot(sharedHome);
    try {
      mkdirSync(dir, { mode: 0o700 });
      if (asRoot) lchownSync(dir, owner.uid, owner.gid);
      // The mode, exactly: no group bit a umask let through, no setgid inherited from private/.
      chmodSync(dir, 0o700);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
    }
  }
  // Checked twice: on the path (so a directory the caller cannot open is reported as what it is), then on
  // the open descriptor, which is what every later access goes through.
  check(dir, owner, lstatSync(dir));
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    if (errno(e) === 'ELOOP' || errno(e) === 'ENOTDIR') throw notPrivate(dir, owner, 'it is not a directory');
    throw e;
  }
  try {
    check(dir, owner, fstatSync(fd));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const via = `/proc/${process.pid}/fd/${fd}`;
  let store: Store;
  try {
    store = openStore({ dir: via, fsync: options.fsync });
    // Root made the layout and the database: they are the owner's, or the owner could not add or collect.
    if (asRoot) {
      for (const e of ['store', 'tmp', 'trash', 'db.sqlite', 'db.sqlite-wal', 'db.sqlite-shm']) {
        const p = join(via, e);
        if (existsSync(p)) lchownSync(p, owner.uid, owner.gid);
      }
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    store,
    home: dir,
    objectPath: (path) => join(dir, 'store', path),
    adopt: (path) => {
      if (asRoot) chownTree(join(via, 'store', path), owner);
    },
    explain: (e) => (e instanceof NomiaError && e.message.includes(via)
      ? new NomiaError(e.code, e.message.replaceAll(via, dir), { ...(e.hint === undefined ? {} : { hint: e.hint }), cause: e })
      : e),
    close: () => {
      try {
        store.close();
      } finally {
        closeSync(fd);
      }
    },
  };
}
