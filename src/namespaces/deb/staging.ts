/**
 * Downloads waiting for their exact name: a closure downloads all its
 * missing package files at once, then realizes one `deb:exact` name per
 * package, which takes its file from here (and removes it once the tree is
 * stored).
 *
 * Each process stages into a directory of its own,
 * `cache/deb/staged/<pid>-<start time>/<sha256>.deb`: the same identity
 * temporary roots use (a reused pid does not count). A file there is in use
 * while that process runs, so gc (cache-gc.ts) never removes it; once the
 * process has exited, its files are nobody's. Until a gc removes them, the
 * next realize that needs one of them (a closure run again after a failure
 * or ^C) takes it over by renaming it into its own directory: rename is
 * atomic, so the file is either taken (and safe from gc) or already gone
 * (and downloaded again), never half of each.
 */
import { rm } from 'node:fs/promises';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { currentProcess, processAlive } from '../../namespace/index.js';

/** Where the staging directories are, in the deb cache `root` (`cacheDir(store, 'deb')`). */
export function stagingRoot(root: string): string {
  return join(root, 'staged');
}

/** This process's staging directory. */
function mine(root: string): string {
  const me = currentProcess();
  return join(stagingRoot(root), `${me.pid}-${me.pidStart}`);
}

/** The process a staging directory belongs to, if it is named like one. */
export function stagingOwner(entry: string): { readonly pid: number; readonly start: number } | undefined {
  const m = /^(\d+)-(\d+)$/.exec(entry);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** Whether the staging directory `entry` belongs to a process that runs. */
export function stagingLive(entry: string): boolean {
  const owner = stagingOwner(entry);
  return owner !== undefined && processAlive(owner.pid, owner.start);
}

/**
 * The staged file of the package file `sha256` for this process: its own,
 * or one an exited process left (taken over), else undefined.
 */
export function findStaged(root: string, sha256: string): string | undefined {
  const name = `${sha256}.deb`;
  const own = join(mine(root), name);
  if (exists(own)) return own;
  let entries: string[];
  try {
    entries = readdirSync(stagingRoot(root));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (stagingOwner(entry) === undefined || stagingLive(entry)) continue;
    mkdirSync(mine(root), { recursive: true });
    try {
      renameSync(join(stagingRoot(root), entry, name), own);
      return own;
    } catch {
      // Not there (or taken by someone else, or removed by gc): look on.
    }
  }
  return undefined;
}

/** Move the downloaded `file` of `sha256` into this process's staging directory; returns where it is now. */
export function stage(root: string, sha256: string, file: string): string {
  const dest = join(mine(root), `${sha256}.deb`);
  mkdirSync(mine(root), { recursive: true });
  renameSync(file, dest);
  return dest;
}

/** Remove a staged file at once (it was found damaged: the next realize must download it again). */
export function unstage(file: string): void {
  rmSync(file, { force: true });
}

/**
 * Remove a staged file whose tree is stored. The unlink of a large file is
 * slow on a busy disk, so it runs off the main thread and is not waited for:
 * the file is in this process's own directory, out of every other process's
 * way, and nothing stages it again (its tree is known now, known.ts); a
 * failure leaves it for gc, which removes an exited process's directory.
 */
export function unstageLater(file: string): void {
  rm(file, { force: true }).catch(() => undefined);
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
