/**
 * The restore worker: fetches, unpacks and hashes NARs on its own thread,
 * so that a substitution uses both cores, the main thread committing, this
 * one receiving, writing files and hashing (restore-pool.ts). It runs the
 * store's own `restoreNar`, fed from its own HTTP connections (http-body.ts)
 * or from messages: the checks are the same as for an import in the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { restoreNar } from '../store/nar-restore.js';
import { BodyClient, FetchFailed, type BodyAnswer, type Origin } from './http-body.js';
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

/**
 * Bytes of a fetched NAR told to the main thread at once, at least: a message costs more than a read. The
 * rest is told by the end (`done` gives the NAR's size).
 */
const PROGRESS = 4 << 20;
const clients = new Map<string, BodyClient>();

function client(o: Origin): BodyClient {
  const key = `${o.host}\0${o.port}\0${o.hostHeader}\0${o.timeoutMs}`;
  let c = clients.get(key);
  if (!c) clients.set(key, (c = new BodyClient(o)));
  return c;
}

async function fetchNar(m: ToWorker & { kind: 'fetch' }): Promise<ToMain> {
  const { id } = m;
  let network: FetchFailed | undefined;
  let a: BodyAnswer | undefined;
  try {
    a = await client(m.origin).get(m.path);
    if (a.status !== 200) {
      // Read to its end, so the connection is kept.
      for await (const _ of a.body);
      return { kind: 'answered', id, status: a.status };
    }
    let untold = 0;
    const { body } = a;
    const told = async function* (): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of body) {
          untold += chunk.length;
          if (untold >= PROGRESS) {
            post({ kind: 'progress', id, bytes: untold });
            untold = 0;
          }
          yield chunk;
        }
      } catch (e) {
        if (e instanceof FetchFailed) network = e;
        throw e;
      }
    };
    const r = await restoreNar(told(), m.dest, 'canonical');
    return { kind: 'done', id, narSize: r.narSize, hash: r.hash };
  } catch (e) {
    if (e instanceof FetchFailed) network = e;
    // The cache's failure, not the NAR's (the restore wraps it as a read error; it has removed what it made).
    if (network) return { kind: 'failed', id, message: network.message, network: network.reason };
    return failed(id, e);
  } finally {
    a?.release();
  }
}

function failed(id: number, e: unknown): ToMain {
  const err = e as Error & { code?: string; path?: string };
  return { kind: 'failed', id, message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.path ? { path: err.path } : {}) };
}

parentPort!.on('message', (m: ToWorker) => {
  if (m.kind === 'fetch') return void fetchNar(m).then(post);
  let feed = feeds.get(m.id);
  if (!feed && m.dest !== undefined) {
    const id = m.id;
    const started = new Feed(id);
    feed = started;
    feeds.set(id, started);
    restoreNar(started, m.dest, 'canonical').then(
      (r) => post({ kind: 'done', id, narSize: r.narSize, hash: r.hash }),
      (e: unknown) => post(failed(id, e)),
    ).finally(() => feeds.delete(id));
  }
  // Pieces for a restore that has already failed are dropped. An end before the NAR's end is a truncated NAR.
  feed?.push(m.chunk, m.end);
});
