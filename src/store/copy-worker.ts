/**
 * The copy worker: applies batches of `CopyOp`s on its own thread so that an
 * add uses both cores, one reading and hashing, one writing. `shared[0]` is
 * the number of bytes posted but not yet written (the main thread waits when
 * it grows too large); `shared[1]` becomes 1 after the first error, after
 * which ops are skipped and the error is reported at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CopyApplier, type CopyOp } from './copy-ops.js';

interface Init { shared: SharedArrayBuffer; umask: number }
type Message = { kind: 'ops'; ops: CopyOp[]; bytes: number } | { kind: 'end' };

const { shared, umask } = workerData as Init;
const state = new Int32Array(shared);
const applier = new CopyApplier(umask);
let failure: { code?: string; message: string; path?: string } | undefined;

// An error outside an op (it should not happen) still stops the reader from waiting on us.
process.on('uncaughtException', (e) => {
  failure ??= { message: (e as Error).message };
  Atomics.store(state, 1, 1);
  Atomics.store(state, 0, 0);
  Atomics.notify(state, 0);
});

parentPort!.on('message', (m: Message) => {
  if (m.kind === 'end') {
    applier.abort();
    parentPort!.postMessage({ kind: 'done', failure });
    return;
  }
  for (const op of m.ops) {
    if (failure) break;
    try {
      applier.apply(op);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      failure = { message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.path ? { path: err.path } : {}) };
      Atomics.store(state, 1, 1);
    }
  }
  Atomics.sub(state, 0, m.bytes);
  Atomics.notify(state, 0);
});
