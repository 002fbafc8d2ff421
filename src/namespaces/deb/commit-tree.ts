/**
 * Storing a tree built in a work directory of the store: given the store's
 * metadata, hashed, flushed to disk, then registered as it is
 * (store/commit.ts): no second copy.
 *
 * The flush is `sync -f` as the store's own `syncFileSystem`, but neither
 * blocking nor forking Node: a closure commits a hundred trees, and each
 * fork of a Node process (hundreds of MB mapped) took ~50 ms of the main
 * thread under load. One small shell per process reads the directories to
 * flush from its stdin and runs `sync -f` for each, answering a line each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  byContentName, commitObject, type ContentHash, hashPath, normalizeTree, NomiaError, type RealizeContext, realPath, type Resource,
} from '../../namespace/index.js';

interface Flusher {
  readonly child: ChildProcess;
  /** Answers awaited, in the order the directories were sent. */
  readonly waiting: ((ok: boolean) => void)[];
}

let flusher: Flusher | undefined;

/** A pipe's handle, to ref or unref. */
function handle(stream: unknown): { ref?: () => void; unref?: () => void } {
  return stream as { ref?: () => void; unref?: () => void };
}

function startFlusher(): Flusher {
  const child = spawn('sh', ['-c', 'while IFS= read -r d; do if sync -f -- "$d"; then echo 0; else echo 1; fi; done'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const f: Flusher = { child, waiting: [] };
  // It keeps the process alive only while an answer is awaited: at exit its stdin closes and it ends.
  child.unref();
  handle(child.stdin).unref?.();
  handle(child.stdout).unref?.();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    f.waiting.shift()?.(line === '0');
    if (f.waiting.length === 0) handle(child.stdout).unref?.();
  });
  const gone = () => {
    if (flusher === f) flusher = undefined;
    for (const w of f.waiting.splice(0)) w(false);
  };
  child.on('error', gone);
  child.on('close', gone);
  return f;
}

/** `sync -f dir`, awaited: what is in `dir` is on disk when it resolves. */
async function flush(dir: string): Promise<void> {
  const ok = dir.includes('\n') ? false : await new Promise<boolean>((resolve) => {
    const f = (flusher ??= startFlusher());
    if (f.waiting.push(resolve) === 1) handle(f.child.stdout).ref?.();
    f.child.stdin!.write(`${dir}\n`);
  });
  if (!ok) {
    throw new NomiaError('store/io', `cannot flush ${dir} to disk: \`sync -f\` failed or could not run`, {
      hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
    });
  }
}

/**
 * Store `tree` (in the work directory `work`) as an object named `name`;
 * `normalized` when the tree already has the store's metadata (root.ts),
 * `hashed` when it was also hashed already (unpack-pool.ts).
 */
export async function commitTree(ctx: RealizeContext, work: string, tree: string, name: string, options: { readonly normalized?: boolean; readonly hashed?: { readonly hash: ContentHash; readonly narSize: number } } = {}): Promise<Resource> {
  if (!options.normalized && !options.hashed) normalizeTree(tree);
  const { hash, narSize } = options.hashed ?? await hashPath(tree);
  if (ctx.store.fsync) await flush(work);
  const { object } = commitObject(ctx.store, { tree, hash, narSize, name });
  return { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(ctx.store, object) };
}
