/**
 * The unpack worker (unpack-pool.ts): one `.deb` into a tree on a thread
 * of its own, checked, unpacked, normalized and hashed there, so that the
 * hundred-odd packages of a closure do not queue their file-system calls
 * and hashing on the main thread (two unpacks and the engine's commits run
 * at once). It answers each job with the tree's hash or the error, as data.
 */
import { parentPort } from 'node:worker_threads';
import { hashPath, NomiaError, normalizeTree } from '../../namespace/index.js';
import { unpackDeb } from './deb-file.js';
import type { UnpackJob, UnpackReply } from './unpack-pool.js';

parentPort!.on('message', (job: UnpackJob) => {
  void (async (): Promise<UnpackReply> => {
    try {
      const stats = await unpackDeb(job.file, job.sha256, job.dest, { label: job.label });
      normalizeTree(job.dest);
      const { hash, narSize } = await hashPath(job.dest);
      return { id: job.id, ok: true, stats, hash, narSize };
    } catch (e) {
      const err = e as Error;
      return {
        id: job.id, ok: false, message: err.message,
        ...(e instanceof NomiaError ? { code: e.code, ...(e.hint === undefined ? {} : { hint: e.hint }) } : {}),
      };
    }
  })().then((reply) => parentPort!.postMessage(reply));
});
