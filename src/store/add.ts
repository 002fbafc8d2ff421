/**
 * Add a file-system tree to the store: copy it into tmp/ with normalized
 * metadata (files 0444 or 0555, directories 0555, every mtime 1 s after the
 * epoch, no setuid, symlinks kept as links), flush, hash the copy (so the
 * hash is of exactly the bytes that will be registered, even if the source
 * changes meanwhile), then commit (see commit.ts for the crash story).
 */
import { constants as C, copyFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, lutimesSync, utimesSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import { commitObject, workDirName, type CommitResult } from './commit.js';
import { removeTree, syncFileSystem } from './fs-util.js';
import { ioError } from './layout.js';
import { hashPath } from './nar.js';
import { checkObjectName, defaultObjectName } from './store-path.js';
import type { Store } from './store.js';

export interface AddProgress {
  readonly files: number;
  readonly bytes: number;
  readonly phase: 'copying' | 'hashing' | 'registering';
}

export interface AddOptions {
  /** Object name; default: the path's base name. */
  readonly name?: string;
  /** Object paths the new object refers to (recorded for gc). */
  readonly references?: readonly string[];
  /** Create an absolute root with this name on the object. */
  readonly root?: string;
  readonly onProgress?: (p: AddProgress) => void;
}

function kindOf(mode: number): string {
  switch (mode & C.S_IFMT) {
    case C.S_IFSOCK: return 'a socket';
    case C.S_IFIFO: return 'a FIFO (named pipe)';
    case C.S_IFCHR: return 'a character device';
    case C.S_IFBLK: return 'a block device';
    default: return 'a special file';
  }
}

class Copier {
  files = 0;
  bytes = 0;
  private lastReport = 0;

  constructor(private readonly onProgress?: (p: AddProgress) => void) {}

  copy(src: string, dest: string): void {
    let st;
    try {
      st = lstatSync(src);
    } catch (e) {
      throw new NomiaStoreError('store/io', `cannot add ${src}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`, { path: src, cause: e });
    }
    try {
      if (st.isDirectory()) {
        mkdirSync(dest, { mode: 0o755 });
        for (const entry of readdirSync(src)) this.copy(join(src, entry), join(dest, entry));
        utimesSync(dest, 1, 1);
        chmodSync(dest, 0o555);
      } else if (st.isFile()) {
        copyFileSync(src, dest, C.COPYFILE_EXCL);
        chmodSync(dest, st.mode & 0o100 ? 0o555 : 0o444);
        utimesSync(dest, 1, 1);
        this.files++;
        this.bytes += st.size;
        this.report();
      } else if (st.isSymbolicLink()) {
        symlinkSync(readlinkSync(src), dest);
        lutimesSync(dest, 1, 1);
      } else {
        throw new NomiaStoreError('store/unsupported-file',
          `cannot add ${src}: it is ${kindOf(st.mode)}; the store holds only regular files, executables, symlinks and directories`, { path: src });
      }
    } catch (e) {
      if (e instanceof NomiaStoreError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      // Errors on the source side (unreadable file) name the source; errors writing name the store.
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS') throw ioError(e, dest, 'write into the store');
      throw new NomiaStoreError('store/io', `cannot add ${src}: ${(e as Error).message}`, { path: src, cause: e });
    }
  }

  private report(): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (now - this.lastReport < 100) return;
    this.lastReport = now;
    this.onProgress({ files: this.files, bytes: this.bytes, phase: 'copying' });
  }
}

/** Add the file, executable, symlink or directory at `src`. Throws `NomiaStoreError`; leaves the store valid on any failure. */
export async function addPath(store: Store, src: string, options: AddOptions = {}): Promise<CommitResult> {
  const abs = resolve(src);
  const name = options.name !== undefined ? checkObjectName(options.name) : defaultObjectName(basename(abs));
  if (name === undefined) {
    throw new NomiaStoreError('usage', `the base name of ${abs} is not a valid object name`, { hint: 'pass --name NAME (letters, digits and + - . _ ? =)' });
  }
  const work = join(store.layout.tmpDir, workDirName());
  try {
    mkdirSync(work);
  } catch (e) {
    throw ioError(e, store.layout.tmpDir, 'create a work directory in the store');
  }
  try {
    const tree = join(work, 'object');
    const copier = new Copier(options.onProgress);
    copier.copy(abs, tree);
    if (store.fsync) syncFileSystem(work);
    options.onProgress?.({ files: copier.files, bytes: copier.bytes, phase: 'hashing' });
    const { hash, narSize } = await hashPath(tree);
    options.onProgress?.({ files: copier.files, bytes: copier.bytes, phase: 'registering' });
    return commitObject(store, {
      tree, hash, narSize, name,
      ...(options.references ? { references: options.references } : {}),
      ...(options.root !== undefined ? { root: options.root } : {}),
    });
  } finally {
    try {
      removeTree(work);
    } catch {
      // A work directory we cannot remove is a leftover for gc, not a reason to fail the add.
    }
  }
}
