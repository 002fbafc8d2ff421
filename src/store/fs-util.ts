/** File-system helpers shared by add, import, gc and verify. */
import { chmodSync, closeSync, fsyncSync, lstatSync, lutimesSync, openSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Delete a tree that may contain read-only directories (store objects are 0555). */
export function removeTree(path: string): void {
  const makeWritable = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    chmodSync(p, 0o755);
    for (const e of readdirSync(p)) makeWritable(join(p, e));
  };
  makeWritable(path);
  rmSync(path, { recursive: true, force: true });
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
  if (r.status !== 0) throw new Error(`sync -f ${path} failed (${r.error?.message ?? `status ${r.status}`})`);
}

/** Total size in bytes of the regular files under `path` (for progress and gc figures). */
export function treeSize(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const e of readdirSync(path)) total += treeSize(join(path, e));
  return total;
}

/** Give a tree the store's normalized metadata: files 0444/0555, directories 0555, every mtime 1 s. */
export function normalizeTree(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    lutimesSync(path, 1, 1);
    return;
  }
  if (st.isDirectory()) {
    for (const e of readdirSync(path)) normalizeTree(join(path, e));
    utimesSync(path, 1, 1);
    chmodSync(path, 0o555);
    return;
  }
  chmodSync(path, st.mode & 0o100 ? 0o555 : 0o444);
  utimesSync(path, 1, 1);
}
