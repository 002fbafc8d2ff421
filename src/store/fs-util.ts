/**
 * File-system helpers shared by add, import, gc and verify. Walks use Buffer
 * names where a name is not UTF-8 (as the NAR code does), so such objects can
 * be verified, normalized and deleted like any other.
 */
import { isUtf8 } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, fsyncSync, lstatSync, lutimesSync, openSync, readdirSync, renameSync, rmSync, utimesSync, type Stats } from 'node:fs';
import { NomiaStoreError } from '../errors.js';
import type { FsPath } from './nar.js';

/** `dir/name`, as a string when both are UTF-8, else as bytes. */
export function childPath(dir: FsPath, name: Buffer): FsPath {
  if (typeof dir === 'string' && isUtf8(name)) return `${dir}/${name.toString()}`;
  return Buffer.concat([typeof dir === 'string' ? Buffer.from(dir) : dir, Buffer.from('/'), name]);
}

/** The entries of a directory, sorted by name bytes. */
export function entries(dir: FsPath): { name: Buffer; path: FsPath }[] {
  return readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare).map((name) => ({ name, path: childPath(dir, name) }));
}

function lstatOrUndefined(p: FsPath): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Delete a tree that may contain read-only directories (store objects are
 * 0555). Entries that vanish meanwhile (another process deleting the same
 * garbage) are not an error.
 */
export function removeTree(path: FsPath): void {
  const makeWritable = (p: FsPath): void => {
    const st = lstatOrUndefined(p);
    if (!st?.isDirectory()) return;
    try {
      chmodSync(p, 0o755);
      for (const e of entries(p)) makeWritable(e.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  };
  makeWritable(path);
  rmSync(path, { recursive: true, force: true });
}

/** Device and inode of a path, to tell "the tree I saw" from a replacement; undefined if nothing is there. */
export function identity(p: string): string | undefined {
  try {
    const st = lstatSync(p);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** fsync a directory, so that a rename into it survives a power loss. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flush everything written to the file system holding `path` (syncfs(2), via
 * coreutils `sync -f`): one call instead of an fsync per file, which for a
 * tree of 10 000 files is the difference between a fraction of a second and
 * many seconds.
 */
export function syncFileSystem(path: string): void {
  const r = spawnSync('sync', ['-f', path], { stdio: 'ignore' });
  if (r.status !== 0) {
    throw new NomiaStoreError('store/io', `cannot flush ${path} to disk: \`sync -f\` ${r.error ? `could not run (${r.error.message})` : `exited with status ${r.status}`}`, {
      path, hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
    });
  }
}

/** Give a tree the store's normalized metadata: files 0444/0555, directories 0555, every mtime 1 s. */
export function normalizeTree(path: FsPath): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    lutimesSync(path, 1, 1);
    return;
  }
  if (st.isDirectory()) {
    for (const e of entries(path)) normalizeTree(e.path);
    utimesSync(path, 1, 1);
    chmodSync(path, 0o555);
    return;
  }
  chmodSync(path, st.mode & 0o100 ? 0o555 : 0o444);
  utimesSync(path, 1, 1);
}

/**
 * rename(2) that also moves a read-only directory to another parent. Moving
 * a directory rewrites its `..` entry, which needs write permission on the
 * directory itself: root never notices, any other user does (store objects
 * are 0555). The mode is given back after the move.
 */
export function moveEntry(from: string, to: string): void {
  try {
    renameSync(from, to);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    const st = lstatOrUndefined(from);
    if (!st?.isDirectory() || st.mode & 0o200) throw e;
    chmodSync(from, (st.mode & 0o7777) | 0o200);
    try {
      renameSync(from, to);
    } catch (again) {
      chmodSync(from, st.mode & 0o7777);
      throw again;
    }
    chmodSync(to, st.mode & 0o7777);
  }
}
