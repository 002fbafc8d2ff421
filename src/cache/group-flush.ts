/**
 * One `sync -f` for many imports. A substitution restores several objects
 * at once, and each must be on disk before its row is committed
 * (store/commit.ts tells the crash story). `sync -f` flushes the whole
 * filesystem, so one flush that starts after a tree is complete covers
 * that tree and every other one complete by then: callers that arrive
 * while a flush runs wait for the next one, which starts when it ends and
 * serves them all. Asynchronous (a spawned `sync`), so downloads and
 * restores go on meanwhile.
 */
import { spawn } from 'node:child_process';
import { NomiaStoreError } from '../errors.js';

/** A flusher for the filesystem of the directories it is given (all in one store). */
export function groupFlush(): (dir: string) => Promise<void> {
  let running: Promise<void> | undefined;
  let next: { promise: Promise<void>; dir: string } | undefined;

  const run = (dir: string): Promise<void> => new Promise((resolve, reject) => {
    const child = spawn('sync', ['-f', dir], { stdio: 'ignore' });
    child.once('error', (e) => reject(failed(dir, `could not run (${e.message})`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(failed(dir, `exited with status ${code}`))));
  });

  return (dir) => {
    if (!running) {
      running = run(dir).finally(() => { running = undefined; });
      return running;
    }
    if (!next) {
      // Starts only once the running flush ends, so it sees every tree completed before this call.
      const after = running.catch(() => undefined).then(() => {
        next = undefined;
        running = run(dir).finally(() => { running = undefined; });
        return running;
      });
      next = { promise: after, dir };
    }
    return next.promise;
  };
}

function failed(dir: string, why: string): NomiaStoreError {
  return new NomiaStoreError('store/io', `cannot flush ${dir} to disk: \`sync -f\` ${why}`, {
    path: dir, hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
  });
}
