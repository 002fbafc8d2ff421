/**
 * Signature checks of records off the main thread, in batches. An ed25519
 * check (about 0.12 ms here) is most of a lookup's cost, and a realize's
 * main thread is what limits it; the records of sibling nodes, looked up
 * together, arrive together. The checks asked for in one turn of the event
 * loop are decided together: a lone check with none under way is made here
 * at once (a hand-off would only add to its wait); two or more, or any
 * while others are away, go to a thread of their own
 * (signature-worker.ts) as one message. The thread is started only for a
 * wide graph (`THREAD_FROM` checks at once, or `THREAD_AFTER` made here):
 * its start (tens of ms) would cost a small realize more than it saves. A
 * thread that fails or dies is not trusted to have checked anything: its
 * checks are made here instead.
 */
import { Worker } from 'node:worker_threads';
import { verifiedBy, type PublicKey } from './keys.js';

/** A check to make: which of `keys` signed `fingerprint` with `sig`. */
export interface SignatureJob {
  readonly id: number;
  readonly fingerprint: string;
  readonly sig: string;
  /** The keys, `name:base64`. */
  readonly keys: readonly string[];
}

/** A thread's answer: the index in `keys` of the key that made the signature, or -1. */
export interface SignatureAnswer {
  readonly id: number;
  readonly key: number;
}

/** Checks asked for at once that start the thread. */
const THREAD_FROM = 16;
/** Checks made here after which the thread is started: ~0.12 ms each, beyond its start's cost. */
const THREAD_AFTER = 256;

interface Pending {
  readonly job: SignatureJob;
  readonly keys: readonly PublicKey[];
  readonly resolve: (k: PublicKey | undefined) => void;
}

export class SignatureChecks {
  private worker: Worker | undefined;
  private queued: Pending[] = [];
  private readonly away = new Map<number, Pending>();
  private scheduled = false;
  private nextId = 0;
  /** Checks made on this thread. */
  private made = 0;

  /** The key among `keys` that made `sig` over `fingerprint`, or undefined. */
  check(fingerprint: string, sig: string, keys: readonly PublicKey[]): Promise<PublicKey | undefined> {
    return new Promise((resolve) => {
      this.queued.push({ job: { id: this.nextId++, fingerprint, sig, keys: keys.map((k) => k.text) }, keys, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O and promise callbacks: every record that arrived with this one is queued by then.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queued.splice(0);
    const wide = this.worker !== undefined || batch.length >= THREAD_FROM || this.made >= THREAD_AFTER;
    const w = wide && (batch.length > 1 || this.away.size > 0) ? this.thread() : undefined;
    if (!w) {
      this.made += batch.length;
      return here(batch);
    }
    for (const p of batch) this.away.set(p.job.id, p);
    w.postMessage(batch.map((p) => p.job));
  }

  private thread(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      const w = new Worker(new URL('./signature-worker.js', import.meta.url));
      w.unref();
      w.on('message', (answers: readonly SignatureAnswer[]) => {
        for (const a of answers) {
          const p = this.away.get(a.id);
          if (!p) continue;
          this.away.delete(a.id);
          p.resolve(a.key >= 0 ? p.keys[a.key] : undefined);
        }
      });
      const lost = (): void => {
        if (this.worker === w) this.worker = undefined;
        const left = [...this.away.values()];
        this.away.clear();
        here(left);
      };
      w.on('error', lost);
      w.on('exit', lost);
      this.worker = w;
      return w;
    } catch {
      return undefined;
    }
  }

  close(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }
}

/** Check on this thread. */
function here(batch: readonly Pending[]): void {
  for (const p of batch) p.resolve(verifiedBy(p.keys, p.job.fingerprint, p.job.sig));
}
