/**
 * The restore worker: unpacks and hashes NARs on its own thread, so that a
 * substitution uses both cores, the main thread receiving bytes and
 * committing, this one writing files and hashing (restore-pool.ts). It runs
 * the store's own `restoreNar`, fed from messages: the checks are the
 * same as for an import in the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { restoreNar } from '../store/nar-restore.js';
import type { ToMain, ToWorker } from './restore-pool.js';

/** The pieces of one NAR, as an async iterable the restore pulls from; pulled pieces are acknowledged. */
class Feed implements AsyncIterable<Uint8Array> {
  private readonly queue: { chunk: Uint8Array; end: boolean }[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly id: number) {}

  push(chunk: Uint8Array, end: boolean): void {
    this.queue.push({ chunk, end });
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((r) => { this.wake = r; });
      const { chunk, end } = this.queue.shift()!;
      // After the last piece the sender waits for nothing but the result.
      if (!end) post({ kind: 'ack', id: this.id, bytes: chunk.length });
      if (chunk.length) yield chunk;
      if (end) return;
    }
  }
}

const feeds = new Map<number, Feed>();
const post = (m: ToMain): void => parentPort!.postMessage(m);

parentPort!.on('message', (m: ToWorker) => {
  let feed = feeds.get(m.id);
  if (!feed && m.dest !== undefined) {
    const id = m.id;
    const started = new Feed(id);
    feed = started;
    feeds.set(id, started);
    restoreNar(started, m.dest).then(
      (r) => post({ kind: 'done', id, narSize: r.narSize, hash: r.hash }),
      (e: unknown) => {
        const err = e as Error & { code?: string; path?: string };
        post({ kind: 'failed', id, message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.path ? { path: err.path } : {}) });
      },
    ).finally(() => feeds.delete(id));
  }
  // Pieces for a restore that has already failed are dropped. An end before the NAR's end is a truncated NAR.
  feed?.push(m.chunk, m.end);
});
