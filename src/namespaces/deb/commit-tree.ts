/**
 * Storing a tree built in a work directory of the store: given the store's
 * metadata, hashed, flushed to disk, then registered as it is
 * (store/commit.ts): no second copy.
 *
 * The flush is `sync -f` as the store's own `syncFileSystem`, but awaited
 * rather than blocking: a closure commits a hundred trees, and under load
 * each flush took ~80 ms of the main thread that the other packages'
 * unpacking (and the downloads' bookkeeping) could use meanwhile.
 */
import { spawn } from 'node:child_process';
import {
  byContentName, commitObject, hashPath, normalizeTree, NomiaError, type RealizeContext, realPath, type Resource,
} from '../../namespace/index.js';

/** `sync -f dir`, awaited: what is in `dir` is on disk when it resolves. */
function flush(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sync', ['-f', dir], { stdio: 'ignore' });
    const failed = (why: string) => reject(new NomiaError('store/io', `cannot flush ${dir} to disk: \`sync -f\` ${why}`, {
      hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
    }));
    child.on('error', (e) => failed(`could not run (${e.message})`));
    child.on('close', (code) => (code === 0 ? resolve() : failed(`exited with status ${code}`)));
  });
}

/** Store `tree` (in the work directory `work`) as an object named `name`. */
export async function commitTree(ctx: RealizeContext, work: string, tree: string, name: string): Promise<Resource> {
  normalizeTree(tree);
  const { hash, narSize } = await hashPath(tree);
  if (ctx.store.fsync) await flush(work);
  const { object } = commitObject(ctx.store, { tree, hash, narSize, name });
  return { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(ctx.store, object) };
}
