/**
 * Restores on other threads (restore-worker.ts): `restore(source, dest)`
 * has the same meaning as the store's `restoreNar`, but the unpacking,
 * writing and hashing happen on a worker, while this thread only moves the
 * bytes it receives there. Bytes in flight to a worker are bounded
 * (`WINDOW`), so a fast cache does not fill memory ahead of the disk.
 * Workers start on first use and do not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { NomiaStoreError, type ErrorCode } from '../errors.js';
import type { ContentHash } from '../store/hash.js';

/**
 * A message to a worker: a piece of the NAR restored as `id`. The first says where (`dest`), the last
 * says it is the last (`end`), so a small NAR travels in one message.
 */
export interface ToWorker {
  readonly id: number;
  readonly dest?: string;
  readonly chunk: Uint8Array;
  readonly end: boolean;
}

/** Messages from a worker. */
export type ToMain =
  | { readonly kind: 'ack'; readonly id: number; readonly bytes: number }
  | { readonly kind: 'done'; readonly id: number; readonly narSize: number; readonly hash: ContentHash }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly code?: string; readonly path?: string };

/** Bytes sent to a worker and not yet taken by its restore, per NAR. */
const WINDOW = 8 << 20;
/** The most bytes sent in one message. */
const BATCH = 1 << 20;
const EMPTY = new Uint8Array(0);

interface Job {
  readonly worker: Worker;
  inFlight: number;
  resume: (() => void) | undefined;
  settle: (m: ToMain & { kind: 'done' | 'failed' }) => void;
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
  async restore(source: AsyncIterable<Uint8Array>, dest: string): Promise<{ narSize: number; hash: ContentHash }> {
    const id = this.nextId++;
    const w = this.worker();
    const job: Job = { worker: w, inFlight: 0, resume: undefined, settle: () => undefined };
    const result = new Promise<ToMain & { kind: 'done' | 'failed' }>((resolve) => { job.settle = resolve; });
    this.jobs.set(id, job);
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
      const m: ToWorker = { id, chunk: batch.subarray(0, used), end, ...(first ? { dest } : {}) };
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
    if (m.kind === 'done') return { narSize: m.narSize, hash: m.hash };
    throw new NomiaStoreError((m.code ?? 'store/io') as ErrorCode, m.message, m.path === undefined ? {} : { path: m.path });
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
