/**
 * Flush a tree just written to tmp/ before it is registered (commit.ts has
 * the crash story). A big tree is flushed with one syncfs(2) (`sync -f`),
 * far cheaper than an fsync per file; but starting that process costs
 * several milliseconds, which for the typical build output of one small
 * file is most of what the whole add costs. So a small tree of files and
 * directories gets an fsync per entry instead, in-process: the same
 * guarantee (every file's data and every directory's entries on disk).
 * Symlinks cannot be opened to fsync, so a tree holding one takes syncfs.
 */
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { syncFileSystem } from './fs-util.js';

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

function fsyncPath(p: Path): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flush `tree` (inside the work directory `work`) to disk. Its own entry in
 * `work` need not be durable: the tree is renamed into store/, and that
 * rename is flushed with store/ itself.
 */
export function syncTree(work: string, tree: string): void {
  const small = smallTree(tree);
  if (!small) {
    syncFileSystem(work);
    return;
  }
  // Children before parents (the walk pushes a directory after its entries).
  for (const p of small) fsyncPath(p);
}
