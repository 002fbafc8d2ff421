/**
 * Restores on other threads (restore-worker.ts), two ways:
 * - `fetch(origin, path, dest)`: the worker GETs the NAR from an HTTP cache
 *   itself (http-body.ts) and unpacks, writes and hashes it as it arrives;
 *   its bytes never pass through this thread, which only commits.
 * - `restore(source, dest)`, for any other source: this thread moves the
 *   bytes it receives to the worker. Bytes in flight to a worker are
 *   bounded (`WINDOW`), so a fast cache does not fill memory ahead of the disk.
 * Either has the meaning of the store's `restoreNar(…, 'canonical')`: the
 * store's metadata, set as the files are written. Workers start on
 * first use and do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { NomiaStoreError, type ErrorCode } from '../errors.js';
import type { ContentHash } from '../store/hash.js';
import { FetchFailed, type Origin } from './http-body.js';

/** A message to a worker. */
export type ToWorker =
  /**
   * A piece of the NAR restored as `id`. The first says where (`dest`), the last says it is the last
   * (`end`), so a small NAR travels in one message.
   */
  | { readonly kind: 'chunk'; readonly id: number; readonly dest?: string; readonly chunk: Uint8Array; readonly end: boolean }
  /** GET `path` from `origin` and restore it at `dest`. */
  | { readonly kind: 'fetch'; readonly id: number; readonly origin: Origin; readonly path: string; readonly dest: string };

/** Messages from a worker. */
export type ToMain =
  | { readonly kind: 'ack'; readonly id: number; readonly bytes: number }
  /** More bytes of a fetched NAR arrived. */
  | { readonly kind: 'progress'; readonly id: number; readonly bytes: number }
  /** A fetch was answered with another status than 200 (nothing restored). */
  | { readonly kind: 'answered'; readonly id: number; readonly status: number }
  | { readonly kind: 'done'; readonly id: number; readonly narSize: number; readonly hash: ContentHash }
  | {
    readonly kind: 'failed'; readonly id: number; readonly message: string; readonly code?: string; readonly path?: string;
    /** Set when the fetch itself failed (the cache, not the NAR). */
    readonly network?: FetchFailed['reason'];
  };

/** A NAR restored: its size and SHA-256. */
export interface Restored {
  readonly narSize: number;
  readonly hash: ContentHash;
}

/** Bytes sent to a worker and not yet taken by its restore, per NAR. */
const WINDOW = 8 << 20;
/** The most bytes sent in one message. */
const BATCH = 1 << 20;
const EMPTY = new Uint8Array(0);

type Settled = ToMain & { kind: 'done' | 'failed' | 'answered' };

interface Job {
  readonly worker: Worker;
  inFlight: number;
  resume: (() => void) | undefined;
  settle: (m: Settled) => void;
  progress?: (bytes: number) => void;
}

/** A pool of up to `size` restore workers; a NAR goes to the one with the fewest under way. */
export class RestorePool {
  private readonly workers: Worker[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  private worker(): Worker {
    const load = (w: Worker): number => [...this.jobs.values()].filter((j) => j.worker === w).length;
    const idle = this.workers.find((w) => load(w) === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) {
      const w = new Worker(new URL('./restore-worker.js', import.meta.url));
      w.unref();
      w.on('message', (m: ToMain) => this.answer(m));
      // A worker that dies (or is stopped by `close`) takes its restores with it: they fail, and the
      // substitution falls back to building.
      w.on('error', (e) => this.failAll(w, e.message));
      w.on('exit', (code) => this.failAll(w, `it exited with status ${code}`));
      this.workers.push(w);
      return w;
    }
    return this.workers.reduce((a, b) => (load(b) < load(a) ? b : a));
  }

  private answer(m: ToMain): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.kind === 'ack') {
      job.inFlight -= m.bytes;
      if (job.inFlight <= WINDOW) job.resume?.();
      return;
    }
    if (m.kind === 'progress') return job.progress?.(m.bytes);
    this.jobs.delete(m.id);
    job.settle(m);
  }

  private failAll(w: Worker, why: string): void {
    for (const [id, job] of [...this.jobs]) {
      if (job.worker === w) this.answer({ kind: 'failed', id, message: `the restore thread stopped: ${why}` });
    }
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
  }

  /**
   * Restore the NAR read from `source` at `dest` (which must not exist) on a worker: its size and SHA-256,
   * or the restore's error (`nar/corrupt` with the byte offset, `store/…`), with nothing left at `dest`.
   * An error of `source` itself is thrown as it is, after the worker has removed what it made.
   */
  async restore(source: AsyncIterable<Uint8Array>, dest: string): Promise<Restored> {
    const { id, w, job, result } = this.start();
    let sourceError: unknown;
    let settled = false;
    void result.then(() => { settled = true; job.resume?.(); });
    const it = source[Symbol.asyncIterator]();
    // Chunks are copied into batches of up to `BATCH` bytes, each handed over whole (transferred, not
    // copied again): a message per 64 KiB socket read cost more than the copy, and big pieces hash faster.
    let batch: Uint8Array = Buffer.allocUnsafeSlow(BATCH);
    let used = 0;
    let first = true;
    const post = (end: boolean): void => {
      job.inFlight += used;
      const m: ToWorker = { kind: 'chunk', id, chunk: batch.subarray(0, used), end, ...(first ? { dest } : {}) };
      w.postMessage(m, [batch.buffer as ArrayBuffer]);
      first = false;
      batch = end ? EMPTY : Buffer.allocUnsafeSlow(BATCH);
      used = 0;
    };
    try {
      while (!settled) {
        const r = await it.next();
        if (r.done === true) break;
        for (let at = 0; at < r.value.length;) {
          const n = Math.min(r.value.length - at, BATCH - used);
          batch.set(r.value.subarray(at, at + n), used);
          used += n;
          at += n;
          if (used === BATCH) post(false);
        }
        if (job.inFlight > WINDOW && !settled) await new Promise<void>((resume) => { job.resume = resume; });
        job.resume = undefined;
      }
    } catch (e) {
      sourceError = e;
    } finally {
      // The end, with what is left (for a refused NAR, to no one: the worker has let it go).
      if (!settled) post(true);
      else await Promise.resolve(it.return?.()).catch(() => undefined);
    }
    const m = await result;
    if (sourceError !== undefined) throw sourceError;
    return outcome(m) as Restored;
  }

  /**
   * GET `path` from `origin` on a worker and restore it at `dest` (which must not exist), as `restore`
   * does; `progress` is told of the bytes as they arrive. Another status than 200 is returned (nothing
   * made); a failed fetch throws `FetchFailed`, a refused NAR the restore's error.
   */
  async fetch(origin: Origin, path: string, dest: string, progress?: (bytes: number) => void): Promise<Restored | { status: number }> {
    const { id, w, job, result } = this.start();
    let told = 0;
    job.progress = (n) => {
      told += n;
      progress?.(n);
    };
    const m: ToWorker = { kind: 'fetch', id, origin, path, dest };
    w.postMessage(m);
    const r = outcome(await result);
    // The bytes not told yet, at the end of a NAR restored whole.
    if ('narSize' in r && r.narSize > told) progress?.(r.narSize - told);
    return r;
  }

  private start(): { id: number; w: Worker; job: Job; result: Promise<Settled> } {
    const id = this.nextId++;
    const w = this.worker();
    const job: Job = { worker: w, inFlight: 0, resume: undefined, settle: () => undefined };
    const result = new Promise<Settled>((resolve) => { job.settle = resolve; });
    this.jobs.set(id, job);
    return { id, w, job, result };
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** A worker's last word on a job, as its value or error. */
function outcome(m: Settled): Restored | { status: number } {
  if (m.kind === 'done') return { narSize: m.narSize, hash: m.hash };
  if (m.kind === 'answered') return { status: m.status };
  if (m.network) throw new FetchFailed(m.message, m.network);
  throw new NomiaStoreError((m.code ?? 'store/io') as ErrorCode, m.message, m.path === undefined ? {} : { path: m.path });
}
