/**
 * Walk a tree the way `git ls-files --others --exclude-standard` does and
 * copy what it would list.
 *
 * - A directory's `.gitignore` is read when the walk enters it, only if it
 *   is a regular file (git refuses a symlinked .gitignore).
 * - An ignored directory is not entered: nothing below it is kept, and no
 *   negation can bring it back.
 * - Every entry named `.git` (a repository directory or a gitlink file) is
 *   dropped at any depth, as git never lists one.
 * - Files and symlinks are kept or dropped; directories only exist in the
 *   result to hold something kept, because the result must be a function of
 *   the files git would list: an ignored build output appearing in a new
 *   directory must not change it. The root is always there.
 *
 * Names are handled as bytes (latin1 strings here, Buffers at the file
 * system), so trees with names that are not UTF-8 filter like any other.
 */
import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { isIgnored, parseGitignore, type GitignoreFile } from './gitignore.js';

/** An entry the filter keeps. */
export interface KeptEntry {
  /** Relative to the root, a byte string. */
  readonly path: string;
  readonly kind: 'file' | 'symlink';
}

export interface FilterSummary {
  readonly kept: number;
  /** Files, symlinks and directories dropped (a dropped directory counts once, with nothing below it counted). */
  readonly dropped: number;
}

const fsPath = (root: string, rel: string): Buffer => Buffer.from(rel === '' ? root : `${root}/${rel}`, 'latin1');

function readGitignore(root: string, dir: string): GitignoreFile | undefined {
  const path = fsPath(root, `${dir}.gitignore`);
  try {
    if (!lstatSync(path).isFile()) return undefined;
    return parseGitignore(readFileSync(path).toString('latin1'), dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * The files and symlinks of the tree at `root` that its .gitignore files do
 * not exclude, in walk order (byte order of names, depth first).
 */
export function keptEntries(root: string): { entries: KeptEntry[]; dropped: number } {
  // `root` is a file-system path (UTF-8); everything below it is bytes.
  const rootBytes = Buffer.from(root).toString('latin1');
  const entries: KeptEntry[] = [];
  let dropped = 0;
  const walk = (dir: string, files: readonly GitignoreFile[]): void => {
    const own = readGitignore(rootBytes, dir);
    const active = own ? [...files, own] : files;
    // The entry types come with the listing (d_type), as git takes them: no stat per entry.
    const listing = readdirSync(fsPath(rootBytes, dir), { encoding: 'buffer', withFileTypes: true })
      .map((d) => ({ name: d.name.toString('latin1'), dirent: d }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, dirent } of listing) {
      if (name === '.git') {
        dropped++;
        continue;
      }
      const path = dir + name;
      const isDirectory = dirent.isDirectory();
      if (isIgnored(active, path, isDirectory)) {
        dropped++;
        continue;
      }
      if (isDirectory) walk(`${path}/`, active);
      else entries.push({ path, kind: dirent.isSymbolicLink() ? 'symlink' : 'file' });
    }
  };
  walk('', []);
  return { entries, dropped };
}

/**
 * Copy what the filter keeps of `src` into the new directory `dest`.
 * Files are hard-linked when the file system allows it (the store copies
 * them again when the result is added), else copied; modes follow.
 */
export function filterTree(src: string, dest: string): FilterSummary {
  const { entries, dropped } = keptEntries(src);
  const srcBytes = Buffer.from(src).toString('latin1');
  const destBytes = Buffer.from(dest).toString('latin1');
  mkdirSync(dest);
  const made = new Set<string>(['']);
  const ensureParent = (path: string): void => {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (made.has(parent)) return;
    ensureParent(parent);
    mkdirSync(fsPath(destBytes, parent));
    made.add(parent);
  };
  for (const e of entries) {
    ensureParent(e.path);
    const from = fsPath(srcBytes, e.path);
    const to = fsPath(destBytes, e.path);
    if (e.kind === 'symlink') {
      symlinkSync(readlinkSync(from, { encoding: 'buffer' }), to);
      continue;
    }
    try {
      linkSync(from, to);
    } catch {
      // Another file system, or a file of another user under protected_hardlinks: a copy does as well.
      copyFileSync(from, to);
    }
  }
  return { kept: entries.length, dropped };
}
