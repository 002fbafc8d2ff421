/**
 * File-system helpers shared by add, import, gc and verify. Walks use Buffer
 * names where a name is not UTF-8 (as the NAR code does), so such objects can
 * be verified, normalized and deleted like any other.
 */
import { isUtf8 } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, fsyncSync, lstatSync, lutimesSync, openSync, readdirSync, readSync, renameSync, rmdirSync, unlinkSync, utimesSync, type Stats } from 'node:fs';
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

/** Run a step that may find its entry gone (another process removing the same garbage). */
function unlessGone(f: () => void): void {
  try {
    f();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

let pulled = 0;

/**
 * Delete a tree that may contain read-only directories (store objects are
 * 0555), at any depth. It never recurses and never builds a path longer
 * than `path` plus two names: the directories of the second level are
 * pulled up into `path` itself (renamed, which moves their whole subtree at
 * once) and the directories of the first level emptied and removed, until
 * nothing is left. A tree 2 000 levels deep, whose deepest paths no system
 * call could take, goes like any other. Entries that vanish meanwhile
 * (another process deleting the same garbage) are not an error.
 */
export function removeTree(path: FsPath): void {
  const st = lstatOrUndefined(path);
  if (!st) return;
  if (!st.isDirectory()) {
    unlessGone(() => unlinkSync(path));
    return;
  }
  for (;;) {
    let names: Buffer[];
    try {
      chmodSync(path, 0o755);
      names = readdirSync(path, { encoding: 'buffer' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (names.length === 0) {
      try {
        rmdirSync(path);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        continue; // someone pulled an entry up meanwhile
      }
    }
    for (const name of names) emptyAndRemove(path, childPath(path, name));
  }
}

/** Remove `dir` (an entry of `top`): files unlinked, its subdirectories pulled up into `top` for a later round. */
function emptyAndRemove(top: FsPath, dir: FsPath): void {
  const st = lstatOrUndefined(dir);
  if (!st) return;
  if (!st.isDirectory()) {
    unlessGone(() => unlinkSync(dir));
    return;
  }
  let names: Buffer[] = [];
  unlessGone(() => {
    chmodSync(dir, 0o755);
    names = readdirSync(dir, { encoding: 'buffer' });
  });
  for (const name of names) {
    const child = childPath(dir, name);
    const cst = lstatOrUndefined(child);
    if (!cst) continue;
    if (!cst.isDirectory()) {
      unlessGone(() => unlinkSync(child));
      continue;
    }
    // Moving a directory rewrites its `..`, which needs write permission on it (for anyone but root).
    unlessGone(() => chmodSync(child, 0o755));
    for (let tries = 0; ; tries++) {
      const up = childPath(top, Buffer.from(`.removing-${process.pid}-${(pulled++).toString(36)}`));
      try {
        renameSync(child, up);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || tries > 100) throw e;
      }
    }
  }
  try {
    rmdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Not empty: another process is working on it too; a later round of removeTree sees it again.
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
  }
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
  if (r.status !== 0) throw flushFailed(path, r.error ? `could not run (${r.error.message})` : `exited with status ${r.status}`);
}

/** The error of a `sync -f` of `path` that did not succeed, `why` saying how (`exited with status 1`). */
export function flushFailed(path: string, why: string): NomiaStoreError {
  return new NomiaStoreError('store/io', `cannot flush ${path} to disk: \`sync -f\` ${why}`, {
    path, hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
  });
}

/** Give a tree the store's normalized metadata: files 0444/0555, directories 0555, every mtime 1 s. */
export function normalizeTree(path: FsPath): void {
  // A stack, not recursion: any depth. Order does not matter, since neither chmod nor utimes of an
  // entry needs write permission on its directory, nor changes the directory's mtime.
  const stack: FsPath[] = [path];
  while (stack.length) {
    const p = stack.pop()!;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) {
      lutimesSync(p, 1, 1);
    } else if (st.isDirectory()) {
      for (const e of entries(p)) stack.push(e.path);
      utimesSync(p, 1, 1);
      chmodSync(p, 0o555);
    } else {
      chmodSync(p, st.mode & 0o100 ? 0o555 : 0o444);
      utimesSync(p, 1, 1);
    }
  }
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

/** Most a file that claims to be empty may hold: pseudo-files are small; anything larger is refused. */
const MAX_UNSIZED = 16 << 20;

/**
 * All of the open file `fd` (at `path`), whose size is not known in advance:
 * procfs and sysfs report size 0 for files that have contents.
 */
export function readUnsized(fd: number, path: string): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const b = Buffer.allocUnsafe(64 << 10);
    let got: number;
    try {
      got = readSync(fd, b, 0, b.length, null);
    } catch (e) {
      throw new NomiaStoreError('store/io', `cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
    }
    if (got === 0) return Buffer.concat(parts, total);
    parts.push(b.subarray(0, got));
    total += got;
    if (total > MAX_UNSIZED) {
      throw new NomiaStoreError('store/unsupported-file', `${path} reports size 0 but holds more than ${MAX_UNSIZED} bytes`, {
        path, hint: 'copy it to a regular file first and add that',
      });
    }
  }
}
