/**
 * Add a file-system tree to the store in one pass: the NAR dump reads each
 * source file once, feeding the hash and, through a `Mirror`, a copy in tmp/
 * with normalized metadata (files 0444 or 0555, directories 0555, every
 * mtime 1 s after the epoch, no setuid, symlinks kept as links). What is
 * copied is exactly what is hashed, even if the source changes meanwhile.
 * Then flush and commit (see commit.ts for the crash story).
 */
import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { basename, resolve } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import { commitObjectSoon, withWorkDir, type CommitResult } from './commit.js';
import { CopyApplier, type CopyOp } from './copy-ops.js';
import { contentHashFromDigest } from './hash.js';
import { refuseHoldingStore } from './holds-store.js';
import { ioError } from './layout.js';
import { dumpPath, type FsPath, type Mirror } from './nar.js';
import { checkObjectName, defaultObjectName } from './store-path.js';
import { syncTree } from './sync-tree.js';
import type { Store } from './store.js';

export interface AddProgress {
  readonly files: number;
  readonly bytes: number;
  readonly phase: 'copying' | 'registering';
}

export interface AddOptions {
  /** Object name; default: the path's base name. */
  readonly name?: string;
  /** Object paths the new object refers to (recorded for gc). */
  readonly references?: readonly string[];
  /** Create an absolute root with this name on the object. */
  readonly root?: string;
  readonly onProgress?: (p: AddProgress) => void;
}

/** Where copy ops go: applied here, or batched to the copy worker. */
interface CopySink {
  push(op: CopyOp, bytes: number): void;
  /** Wait until everything is written; the first failure, if any. */
  finish(): Promise<Error | undefined>;
  abort(): void;
}

class InThreadSink implements CopySink {
  private readonly applier = new CopyApplier(process.umask());

  push(op: CopyOp, _bytes = 0): void {
    this.applier.apply(op);
  }

  async finish(): Promise<undefined> {
    return undefined;
  }

  abort(): void {
    this.applier.abort();
  }
}

/** Bytes posted to the worker and not yet written, beyond which the reader waits. */
const MAX_IN_FLIGHT = 64 << 20;
const ARENA = 1 << 20;

class WorkerSink implements CopySink {
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private batch: CopyOp[] = [];
  private bytes = 0;
  private arena = new Uint8Array(ARENA);
  private used = 0;
  private transfer: ArrayBuffer[] = [];

  constructor() {
    this.worker = new Worker(new URL('./copy-worker.js', import.meta.url), { workerData: { shared: this.state.buffer, umask: process.umask() } });
  }

  push(op: CopyOp, bytes: number): void {
    if (Atomics.load(this.state, 1) === 1) throw new WorkerFailed();
    if (op.k === 'write') {
      // The chunk is reused by the dumper: small ones are copied into a shared arena, big ones into their own buffer.
      const n = op.data.length;
      if (n > ARENA / 4) {
        const own = new Uint8Array(n);
        own.set(op.data);
        this.transfer.push(own.buffer);
        op = { k: 'write', data: own };
      } else {
        if (this.used + n > ARENA) this.flush();
        this.arena.set(op.data, this.used);
        op = { k: 'write', data: this.arena.subarray(this.used, this.used + n) };
        this.used += n;
      }
    }
    this.batch.push(op);
    this.bytes += bytes;
    if (this.batch.length >= 512 || this.bytes >= ARENA) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    // The dump is synchronous, so this thread cannot see the worker's events: if the worker dies, the
    // bytes in flight never go down. Give up after a minute without progress rather than hang.
    let lastProgress = Date.now();
    for (let inFlight = Atomics.load(this.state, 0); inFlight > MAX_IN_FLIGHT; ) {
      Atomics.wait(this.state, 0, inFlight, 200);
      const now = Atomics.load(this.state, 0);
      if (Atomics.load(this.state, 1) === 1) throw new WorkerFailed();
      if (now !== inFlight) lastProgress = Date.now();
      else if (Date.now() - lastProgress > 60_000) {
        throw new NomiaStoreError('store/io', 'the thread copying into the store stopped making progress for a minute', { hint: 'try again; if it recurs, report it' });
      }
      inFlight = now;
    }
    Atomics.add(this.state, 0, this.bytes);
    if (this.used > 0) this.transfer.push(this.arena.buffer as ArrayBuffer);
    this.worker.postMessage({ kind: 'ops', ops: this.batch, bytes: this.bytes }, this.transfer);
    this.batch = [];
    this.bytes = 0;
    this.transfer = [];
    if (this.used > 0) {
      this.arena = new Uint8Array(ARENA);
      this.used = 0;
    }
  }

  async finish(): Promise<Error | undefined> {
    this.flush();
    const done = new Promise<{ failure?: { code?: string; message: string; path?: string } }>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    this.worker.postMessage({ kind: 'end' });
    const { failure } = await done;
    await this.worker.terminate();
    if (!failure) return undefined;
    return Object.assign(new Error(failure.message), { code: failure.code, path: failure.path });
  }

  abort(): void {
    void this.finish().catch(() => undefined);
  }
}

class WorkerFailed extends Error {}

/**
 * The mirror side of an add: turns the dump's events into copy ops under
 * `destRoot`. It writes in this thread until the tree proves big enough to
 * repay starting a worker (about 20 ms); from then on the worker writes most
 * files while this thread reads, hashes, and writes one file in
 * `OWN_SHARE`, which balances the two cores (reading and hashing a file
 * costs about as much as creating and writing it). Directories are created
 * here at once, so both writers can fill them, and sealed (mode 0555) at
 * the end, after every file in them exists.
 */
const OWN_SHARE = 8;

class StoreCopy implements Mirror {
  files = 0;
  bytes = 0;
  private readonly local = new InThreadSink();
  private worker: WorkerSink | undefined;
  private current: CopySink = this.local;
  private readonly seal: FsPath[] = [];
  private lastReport = 0;

  constructor(private readonly srcRoot: string, private readonly destRoot: string, private readonly onProgress?: (p: AddProgress) => void) {}

  private dest(p: FsPath): FsPath {
    if (typeof p === 'string') return this.destRoot + p.slice(this.srcRoot.length);
    return Buffer.concat([Buffer.from(this.destRoot), p.subarray(Buffer.byteLength(this.srcRoot))]);
  }

  enterDirectory(p: FsPath): void {
    this.local.push({ k: 'mkdir', p: this.dest(p) });
  }

  leaveDirectory(p: FsPath): void {
    this.seal.push(this.dest(p));
  }

  beginFile(p: FsPath, executable: boolean, size: number): void {
    if (!this.worker && (this.files >= 256 || size >= 16 << 20)) this.worker = new WorkerSink();
    this.current = this.worker && (this.files % OWN_SHARE !== 0 || size >= 1 << 20) ? this.worker : this.local;
    this.current.push({ k: 'open', p: this.dest(p), mode: executable ? 0o555 : 0o444 }, 0);
    this.files++;
    this.bytes += size;
    if (this.onProgress && this.files % 256 === 0) {
      const now = Date.now();
      if (now - this.lastReport > 100) {
        this.lastReport = now;
        this.onProgress({ files: this.files, bytes: this.bytes, phase: 'copying' });
      }
    }
  }

  fileData(chunk: Buffer): void {
    this.current.push({ k: 'write', data: chunk }, chunk.length);
  }

  endFile(): void {
    this.current.push({ k: 'close' }, 0);
  }

  symlink(p: FsPath, target: Buffer): void {
    this.local.push({ k: 'symlink', p: this.dest(p), target: new Uint8Array(target) });
  }

  /** Wait for the worker, then seal the directories, innermost first (they were left in that order). */
  async finish(): Promise<Error | undefined> {
    const failure = this.worker ? await this.worker.finish() : undefined;
    if (failure) return failure;
    for (const d of this.seal) this.local.push({ k: 'seal-dir', p: d });
    return undefined;
  }

  abort(): void {
    this.local.abort();
    this.worker?.abort();
  }
}

/** The object name an add of `abs` gets: `name` checked, or else the base name; throws `usage` if neither is valid. */
export function objectNameFor(abs: string, name: string | undefined): string {
  const chosen = name !== undefined ? checkObjectName(name) : defaultObjectName(basename(abs));
  if (chosen === undefined) {
    throw new NomiaStoreError('usage', `the base name of ${abs} is not a valid object name`, { hint: 'pass --name NAME (letters, digits and + - . _ ? =)' });
  }
  return chosen;
}

/**
 * Refuse a source that does not exist, or a directory that holds the store
 * (it would copy the copy being made into itself, until the path grows too
 * long). A symlink is stored as a link, never followed, so it is not resolved.
 */
export function checkSource(store: Store, abs: string): void {
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist'
      : code === 'ELOOP' ? 'its path passes through a loop of symbolic links'
      : code === 'ENAMETOOLONG' ? 'its path is too long'
      : (e as Error).message;
    throw new NomiaStoreError('store/io', `cannot add ${abs}: ${why}`, { path: abs, cause: e, hint: 'check the path (`ls -l` each directory on the way)' });
  }
  if (st.isDirectory()) refuseHoldingStore(store, abs);
}

/** Add the file, executable, symlink or directory at `src`. Throws `NomiaStoreError`; leaves the store valid on any failure. */
export async function addPath(store: Store, src: string, options: AddOptions = {}): Promise<CommitResult> {
  const abs = resolve(src);
  const name = objectNameFor(abs, options.name);
  checkSource(store, abs);
  return withWorkDir(store, async (work, tree) => {
    const copy = new StoreCopy(abs, tree, options.onProgress);
    const hasher = createHash('sha256');
    let narSize = 0;
    let failure: unknown;
    try {
      ({ narSize } = await dumpPath(abs, (chunk) => hasher.update(chunk), { mirror: copy }));
    } catch (e) {
      failure = e;
    }
    // Writing may have failed in the worker (the dump then stops early); its error explains more than WorkerFailed.
    const written = await copy.finish().catch((e: unknown) => e as Error);
    if (written && (failure === undefined || failure instanceof WorkerFailed)) failure = written;
    if (failure !== undefined) {
      copy.abort();
      if (failure instanceof NomiaStoreError) throw failure;
      throw ioError(failure, tree, 'write into the store');
    }
    if (store.fsync) await syncTree(work, tree);
    options.onProgress?.({ files: copy.files, bytes: copy.bytes, phase: 'registering' });
    return commitObjectSoon(store, {
      tree, hash: contentHashFromDigest(hasher.digest()), narSize, name,
      ...(options.references ? { references: options.references } : {}),
      ...(options.root !== undefined ? { root: options.root } : {}),
    });
  });
}
