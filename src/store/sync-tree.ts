/**
 * Flush a tree just written to tmp/ before it is registered (commit.ts has
 * the crash story). A big tree is flushed with one syncfs(2) (`sync -f`),
 * far cheaper than an fsync per file; but starting that process costs
 * several milliseconds, which for the typical build output of one small
 * file is most of what the whole add costs. So a small tree of files and
 * directories gets an fsync per entry instead, in-process: the same
 * guarantee (every file's data and every directory's entries on disk).
 * Symlinks cannot be opened to fsync, so a tree holding one takes syncfs.
 * Neither blocks the main thread (see `syncTree`).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { flushShell } from './flush-shell.js';

/** Paths as Buffers below the top: names need not be UTF-8. */
type Path = string | Buffer;

const child = (dir: Path, name: Buffer): Buffer => Buffer.concat([Buffer.from(dir), Buffer.from('/'), name]);

/** Trees with more entries than this are flushed with syncfs. */
const FSYNC_EACH_UP_TO = 32;

/** The files and directories of `tree`, or undefined if it is big or holds anything else. */
function smallTree(tree: string): Path[] | undefined {
  const found: Path[] = [];
  const visit = (p: Path): boolean => {
    if (found.length >= FSYNC_EACH_UP_TO) return false;
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p, { encoding: 'buffer' })) if (!visit(child(p, e))) return false;
    } else if (!st.isFile()) {
      return false;
    }
    found.push(p);
    return true;
  };
  return visit(tree) ? found : undefined;
}

async function fsyncPath(p: Path): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One flush shell for the process's big trees, started at the first; it never keeps the process alive idle. */
const shell = flushShell({ background: true });

/**
 * Flush `tree` (inside the work directory `work`) to disk; resolves once it
 * is. Its own entry in `work` need not be durable: the tree is renamed into
 * store/, and that rename is flushed with store/ itself.
 *
 * The waiting is done off the main thread (libuv's thread pool, or the
 * flush shell), so that while one job's object is flushed the other job
 * slot's work goes on; what reaches the disk before the commit is the same
 * as when each call blocked.
 */
export async function syncTree(work: string, tree: string): Promise<void> {
  const small = smallTree(tree);
  if (!small) return shell.flush(work);
  // All at once: every one must be done before the commit, and in no particular order.
  await Promise.all(small.map(fsyncPath));
}

/** fsync the directory `dir` (a rename into it made durable), off the main thread. */
export const flushDirectory = (dir: string): Promise<void> => fsyncPath(dir);
