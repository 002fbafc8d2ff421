/**
 * Writing the tree of a commit from a bare repository into a directory,
 * from git's objects as they are: `git ls-tree` for the entries and modes,
 * `git cat-file --batch` for the contents, streamed into files.
 *
 * Exactly what git records, nothing more: 100755 entries are executable,
 * 120000 entries are symlinks to the blob's bytes, submodules (160000) are
 * empty directories, names are bytes (not necessarily UTF-8). Unlike a
 * checkout or `git archive`, no `.gitattributes` applies: no end-of-line
 * conversion, no filters, no `export-ignore` or `export-subst`, whose output
 * would depend on the git version and the refs of the repository rather
 * than on the revision alone.
 *
 * Entries are written with the store's normalized metadata from the start
 * (files 0444 or 0555, every mtime 1 s after the epoch; directories are
 * made 0555 by `sealDirectories` once everything inside them is written),
 * so the tree can be registered as it is, without a copy.
 */
import { isUtf8 } from 'node:buffer';
import { chmodSync, closeSync, fchmodSync, futimesSync, lutimesSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { NomiaError } from '../../namespace/index.js';
import { gitFailed, runGit, spawnError, spawnGit, type GitEnvironment } from './run-git.js';

/** What `writeTree` wrote: the submodule entries, and the directories to seal once submodules are in. */
export interface WrittenTree {
  readonly gitlinks: readonly Gitlink[];
  /** Parents before children. */
  readonly dirs: readonly (string | Buffer)[];
}

/** A submodule entry of a tree: the commit recorded at a path. */
export interface Gitlink {
  /** Relative to the tree's root, as bytes. */
  readonly path: Buffer;
  readonly sha: string;
}

type BlobKind = 'file' | 'exe' | 'symlink';

interface Blob {
  readonly sha: string;
  readonly path: string | Buffer;
  readonly kind: BlobKind;
}

const SLASH = 0x2f;

/** `dest/rel` as a string when `rel` is UTF-8, else as bytes. */
function under(dest: string, rel: Buffer): string | Buffer {
  return isUtf8(rel) ? `${dest}/${rel.toString()}` : Buffer.concat([Buffer.from(`${dest}/`), rel]);
}

/** A component git itself would refuse to check out: it could escape the tree or plant a repository. */
function unsafe(rel: Buffer): boolean {
  let start = 0;
  for (let i = 0; i <= rel.length; i++) {
    if (i === rel.length || rel[i] === SLASH) {
      const c = rel.subarray(start, i).toString('latin1');
      if (c === '' || c === '.' || c === '..' || c.toLowerCase() === '.git') return true;
      start = i + 1;
    }
  }
  return false;
}

/**
 * Write the tree of `commit` into `dest` (created; it may exist empty) and
 * return its submodule entries and directories.
 */
export async function writeTree(genv: GitEnvironment, gitDir: string, commit: string, dest: string, signal?: AbortSignal): Promise<WrittenTree> {
  const ls = await runGit(genv, ['--git-dir', gitDir, 'ls-tree', '-r', '-t', '-z', '--full-tree', commit], signal ? { signal } : {});
  if (ls.code !== 0) throw gitFailed(`list the tree of ${commit}`, ls.stderr);
  mkdirSync(dest, { recursive: true });
  const blobs: Blob[] = [];
  const gitlinks: Gitlink[] = [];
  const dirs: (string | Buffer)[] = [dest];
  // Every entry's parent must be a directory listed before it (ls-tree -t lists trees first). A crafted tree
  // could otherwise put `a/x` under a symlink `a` and write through it, out of the tree.
  const trees = new Set<string>(['']);
  const out = ls.stdout;
  let start = 0;
  while (start < out.length) {
    let end = out.indexOf(0, start);
    if (end < 0) end = out.length;
    const record = out.subarray(start, end);
    start = end + 1;
    const tab = record.indexOf(0x09);
    const [mode, type, sha] = record.subarray(0, tab).toString('latin1').split(' ') as [string, string, string];
    const rel = record.subarray(tab + 1);
    const slash = rel.lastIndexOf(SLASH);
    if (tab < 0 || !sha || unsafe(rel) || !trees.has(slash < 0 ? '' : rel.subarray(0, slash).toString('latin1'))) {
      throw new NomiaError('git/failed', `the tree of ${commit} has an entry git refuses to check out: ${JSON.stringify(rel.toString())}`, {
        hint: 'entries named `.`, `..` or `.git`, or nested under something that is not a directory, could write outside the tree; this revision cannot be fetched safely',
      });
    }
    const path = under(dest, rel);
    if (type === 'tree') {
      mkdirSync(path);
      dirs.push(path);
      trees.add(rel.toString('latin1'));
    } else if (type === 'commit') {
      mkdirSync(path);
      dirs.push(path);
      gitlinks.push({ path: Buffer.from(rel), sha });
    } else if (type === 'blob') {
      const m = parseInt(mode, 8);
      blobs.push({ sha, path, kind: (m & 0o170000) === 0o120000 ? 'symlink' : m & 0o100 ? 'exe' : 'file' });
    } else {
      throw new NomiaError('git/failed', `the tree of ${commit} has an entry of unknown type ${type} at ${JSON.stringify(rel.toString())}`);
    }
  }
  if (blobs.length) await writeBlobs(genv, gitDir, blobs, signal);
  return { gitlinks, dirs };
}

/** Give directories their final metadata, children first (adding an entry would change a parent's mtime). */
export function sealDirectories(dirs: readonly (string | Buffer)[]): void {
  for (let i = dirs.length - 1; i >= 0; i--) {
    utimesSync(dirs[i]!, 1, 1);
    chmodSync(dirs[i]!, 0o555);
  }
}

/** Stream every blob's content from one `git cat-file --batch` into its file or symlink. */
function writeBlobs(genv: GitEnvironment, gitDir: string, blobs: readonly Blob[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnGit(genv, ['--git-dir', gitDir, 'cat-file', '--batch'], signal);
    let i = 0;
    let header = Buffer.alloc(0);
    let state: 'header' | 'body' | 'newline' = 'header';
    let remaining = 0;
    let fd = -1;
    let link: Buffer[] = [];
    let failed: Error | undefined;
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      if (fd >= 0) closeSync(fd);
      fd = -1;
      child.kill();
    };
    const stderr: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d));

    const open = (b: Blob, size: number) => {
      remaining = size;
      if (b.kind === 'symlink') {
        link = [];
      } else {
        // Read-only from the start; the descriptor stays writable. fchmod because the umask may have narrowed it.
        const mode = b.kind === 'exe' ? 0o555 : 0o444;
        fd = openSync(b.path, 'wx', mode);
        fchmodSync(fd, mode);
      }
    };
    const close = (b: Blob) => {
      if (b.kind === 'symlink') {
        symlinkSync(Buffer.concat(link), b.path);
        lutimesSync(b.path, 1, 1);
      } else {
        futimesSync(fd, 1, 1);
        closeSync(fd);
      }
      fd = -1;
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        let at = 0;
        while (at < chunk.length) {
          const blob = blobs[i];
          if (!blob) throw new NomiaError('git/failed', 'git cat-file printed more than was asked');
          if (state === 'header') {
            const nl = chunk.indexOf(0x0a, at);
            if (nl < 0) {
              header = Buffer.concat([header, chunk.subarray(at)]);
              break;
            }
            const line = Buffer.concat([header, chunk.subarray(at, nl)]).toString('latin1');
            header = Buffer.alloc(0);
            at = nl + 1;
            const [sha, type, size] = line.split(' ');
            if (sha !== blob.sha || type !== 'blob' || size === undefined) {
              throw new NomiaError('git/failed', `the object ${blob.sha} is missing from the repository cache or is not a file (${line})`, {
                hint: 'the cache entry may be damaged: remove it (`<store>/cache/git/<hash>.git`) and realize again',
              });
            }
            open(blob, Number(size));
            state = 'body';
          }
          if (state === 'body') {
            const n = Math.min(remaining, chunk.length - at);
            if (n > 0) {
              if (blob.kind === 'symlink') link.push(Buffer.from(chunk.subarray(at, at + n)));
              else writeSync(fd, chunk, at, n);
              at += n;
              remaining -= n;
            }
            if (remaining > 0) break;
            close(blob);
            state = 'newline';
          }
          if (state === 'newline') {
            if (at >= chunk.length) break;
            if (chunk[at] !== 0x0a) throw new NomiaError('git/failed', 'git cat-file printed something unexpected');
            at++;
            i++;
            state = 'header';
          }
        }
      } catch (e) {
        fail(e as Error);
      }
    });
    child.on('error', (e) => fail(spawnError(e)));
    child.on('close', (code) => {
      if (failed) return reject(failed);
      if (code !== 0) return reject(gitFailed('read the files of the tree', Buffer.concat(stderr).toString()));
      if (i !== blobs.length) return reject(new NomiaError('git/failed', `git cat-file stopped after ${i} of ${blobs.length} files`));
      resolvePromise();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(blobs.map((b) => `${b.sha}\n`).join(''));
  });
}
