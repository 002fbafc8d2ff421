/**
 * Unpacking `.deb`s on worker threads (unpack-worker.ts). A package's
 * unpack is a few thousand small file-system calls, a decompression and a
 * hash of the tree; on the main thread they queue behind each other and
 * behind the engine (commits, reference scans, events), so a closure of a
 * hundred packages used one core. Here each job runs on a worker of a small
 * pool (one per core, at most 4), started on first use and kept while the
 * process runs, but never keeping it alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { contentHashFromDigest, type ContentHash, type ErrorCode, NomiaError } from '../../namespace/index.js';
import type { TreeStats } from '../unpack/safe-tree.js';

/** One `.deb` to unpack into `dest` (which must not exist), checked against `sha256` first. */
export interface UnpackJob {
  readonly id: number;
  readonly file: string;
  readonly sha256: string;
  readonly dest: string;
  readonly label: string;
}

/** A worker's answer: the tree's NAR hash (hex) and size, or the error it threw, as data. */
export type UnpackReply =
  | { readonly id: number; readonly ok: true; readonly stats: TreeStats; readonly hash: string; readonly narSize: number }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: ErrorCode; readonly hint?: string };

export interface Unpacked {
  readonly stats: TreeStats;
  readonly hash: ContentHash;
  readonly narSize: number;
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

const MAX = Math.max(1, Math.min(4, availableParallelism()));
const slots: Slot[] = [];
const queue: (() => void)[] = [];
const pending = new Map<number, (reply: UnpackReply) => void>();
let nextId = 0;

function start(): Slot {
  const worker = new Worker(new URL('./unpack-worker.js', import.meta.url));
  const slot: Slot = { worker, busy: false };
  worker.unref();
  worker.on('message', (reply: UnpackReply) => {
    const done = pending.get(reply.id);
    pending.delete(reply.id);
    done?.(reply);
  });
  // A worker that dies (it should not) takes its job with it: that job fails, the next one starts a new worker.
  const gone = (why: string) => {
    slots.splice(slots.indexOf(slot), 1);
    for (const [id, done] of pending) if (owner.get(id) === slot) done({ id, ok: false, message: `the unpack worker stopped: ${why}` });
  };
  worker.on('error', (e) => gone(e.message));
  worker.on('exit', (code) => gone(`exit status ${code}`));
  slots.push(slot);
  return slot;
}

/** Which slot runs which job, so a dying worker fails only its own. */
const owner = new Map<number, Slot>();

async function acquire(): Promise<Slot> {
  for (;;) {
    const free = slots.find((s) => !s.busy) ?? (slots.length < MAX ? start() : undefined);
    if (free) {
      free.busy = true;
      return free;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  }
}

function release(slot: Slot): void {
  slot.busy = false;
  queue.shift()?.();
}

/**
 * Check, unpack, normalize and hash one `.deb` on a worker. Errors are the
 * worker's, rebuilt (a `NomiaError` keeps its code and hint). With
 * `signal` aborted, the worker is stopped and the promise rejects.
 */
export async function unpackOnWorker(job: Omit<UnpackJob, 'id'>, signal?: AbortSignal): Promise<Unpacked> {
  signal?.throwIfAborted();
  const slot = await acquire();
  const id = nextId++;
  owner.set(id, slot);
  try {
    const reply = await new Promise<UnpackReply>((resolve, reject) => {
      const abort = () => {
        pending.delete(id);
        void slot.worker.terminate();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      pending.set(id, (r) => {
        signal?.removeEventListener('abort', abort);
        resolve(r);
      });
      slot.worker.ref();
      slot.worker.postMessage({ ...job, id } satisfies UnpackJob);
    });
    if (!reply.ok) throw reply.code === undefined ? new Error(reply.message) : new NomiaError(reply.code, reply.message, reply.hint === undefined ? {} : { hint: reply.hint });
    return { stats: reply.stats, hash: contentHashFromDigest(Buffer.from(reply.hash, 'hex')), narSize: reply.narSize };
  } finally {
    owner.delete(id);
    slot.worker.unref();
    release(slot);
  }
}
