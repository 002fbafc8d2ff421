/**
 * Merging package trees into one root a sandboxed build can use as `/`: each
 * tree (already in the merged-/usr layout, deb-file.ts) is laid over the
 * ones before it, in the order given (the exact names' sorted order, so a
 * closure always merges alike), and `/bin`, `/sbin`, `/lib*` link to their
 * `usr/` directories as on a merged-/usr Debian system.
 *
 * Files are hard links to the package trees' own files when the store's
 * file system allows (store objects are never written to, and both carry
 * the store's normalized metadata), copies otherwise. Where two packages
 * ship the same path, the later one wins, as the last unpacked does for
 * dpkg with Replaces; a directory is never replaced by a file or the other
 * way round (that is an error naming both packages).
 */
import { chmodSync, copyFileSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { MERGED_DIRS } from './deb-file.js';

type Kind = 'dir' | 'other';

/**
 * Lay `src` (a package tree) over `dest`; `owner` remembers which package put each path there, for messages,
 * and `dirs` collects the directories made.
 */
function overlay(src: string, dest: string, rel: string, from: string, owner: Map<string, string>, dirs: string[]): void {
  // The entries' types come with the listing (one getdents, no lstat each): a root is thousands of files.
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const name = e.name;
    const s = join(src, name);
    const d = join(dest, name);
    const path = rel === '' ? name : `${rel}/${name}`;
    const kind: Kind = e.isDirectory() ? 'dir' : 'other';
    const before = owner.get(path);
    if (before !== undefined) {
      const existing: Kind = lstatSync(d).isDirectory() ? 'dir' : 'other';
      if (existing !== kind) {
        throw new NomiaError('deb/format', `cannot merge the packages into one root: /${path} is a ${existing === 'dir' ? 'directory' : 'file'} in ${before} and a ${kind === 'dir' ? 'directory' : 'file'} in ${from}`, {
          hint: 'these packages cannot be installed together; leave one out of the closure',
        });
      }
      if (kind === 'other') unlinkSync(d);
    }
    owner.set(path, from);
    if (kind === 'dir') {
      if (before === undefined) {
        mkdirSync(d);
        dirs.push(d);
      }
      overlay(s, d, path, from, owner, dirs);
    } else if (e.isSymbolicLink()) {
      symlinkSync(readlinkSync(s), d);
      lutimesSync(d, 1, 1);
    } else {
      try {
        linkSync(s, d);
      } catch {
        copyFileSync(s, d);
        chmodSync(d, lstatSync(s).mode & 0o100 ? 0o555 : 0o444);
        utimesSync(d, 1, 1);
      }
    }
  }
}

/**
 * Merge the package trees `trees` (name → path, in order) into `dest`, which
 * must not exist yet. The result already has the store's normalized
 * metadata (files 0444/0555, directories 0555, every mtime 1 s), so it needs
 * no pass of `normalizeTree`: linked files share their inodes with store
 * objects, which have it, and what is made here is given it as it is made.
 */
export function mergeRoot(trees: readonly (readonly [string, string])[], dest: string): void {
  mkdirSync(dest);
  const owner = new Map<string, string>();
  const dirs = [dest];
  for (const [name, path] of trees) overlay(path, dest, '', name, owner, dirs);
  for (const d of MERGED_DIRS) {
    const real = join(dest, 'usr', d);
    let present = false;
    try {
      present = lstatSync(real).isDirectory();
    } catch {
      // Not shipped by any package: no link either.
    }
    if (present && !owner.has(d)) {
      symlinkSync(`usr/${d}`, join(dest, d));
      lutimesSync(join(dest, d), 1, 1);
    }
  }
  // Last: an entry made in a directory would change its mtime, and 0555 would refuse the entry.
  for (const d of dirs) {
    utimesSync(d, 1, 1);
    chmodSync(d, 0o555);
  }
}
