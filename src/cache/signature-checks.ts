/**
 * Signature checks of records, off the main thread when several are under
 * way. An ed25519 check (about 0.11 ms of CPU here) is most of a lookup's
 * cost, and the records of sibling nodes, looked up together, arrive
 * together. The checks asked for in one turn of the event loop are decided
 * together: a lone check with none under way is made here at once (a
 * hand-off would only add to its wait); two or more, or any while others
 * are under way, go to libuv's thread pool (`verifiedByInPool`), where they
 * use every core and each is answered as soon as it is made, so a lookup
 * does not wait for the checks of the records that arrived with it. (A
 * worker thread of our own, answering a batch at once, held 16 lookups in
 * flight in lockstep and cost a `postMessage` each way: docs/cache.md,
 * "Lookups on the thread pool".) A record is followed only on the answer of
 * its own check, wherever it was made.
 */
import { verifiedBy, verifiedByInPool, type PublicKey } from './keys.js';

interface Pending {
  readonly fingerprint: string;
  readonly sig: string;
  readonly keys: readonly PublicKey[];
  readonly resolve: (k: PublicKey | undefined) => void;
}

/** Where the checks of a `SignatureChecks` were made, so far. */
export interface CheckCounts {
  /** On the calling thread. */
  readonly here: number;
  /** On libuv's thread pool. */
  readonly pool: number;
}

export class SignatureChecks {
  private queued: Pending[] = [];
  /** Checks on the pool, not answered yet. */
  private away = 0;
  private scheduled = false;
  private counts = { here: 0, pool: 0 };

  /** The key among `keys` that made `sig` over `fingerprint`, or undefined. */
  check(fingerprint: string, sig: string, keys: readonly PublicKey[]): Promise<PublicKey | undefined> {
    return new Promise((resolve) => {
      this.queued.push({ fingerprint, sig, keys, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O and promise callbacks: every record that arrived with this one is queued by then.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Where the checks were made so far. */
  get made(): CheckCounts {
    return { ...this.counts };
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queued.splice(0);
    if (batch.length === 1 && this.away === 0) {
      const p = batch[0]!;
      this.counts.here++;
      p.resolve(verifiedBy(p.keys, p.fingerprint, p.sig));
      return;
    }
    for (const p of batch) {
      this.away++;
      this.counts.pool++;
      void verifiedByInPool(p.keys, p.fingerprint, p.sig).then((k) => {
        this.away--;
        p.resolve(k);
      });
    }
  }
}
