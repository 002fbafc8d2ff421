/**
 * One `sync -f` for many imports. A substitution restores several objects
 * at once, and each must be on disk before its row is committed
 * (store/commit.ts tells the crash story). `sync -f` flushes the whole
 * filesystem, so one flush that starts after a tree is complete covers
 * that tree and every other one complete by then: callers that arrive
 * while a flush runs wait for the next one, which starts when it ends and
 * serves them all. Asynchronous, so downloads and restores go on
 * meanwhile; run by one flush shell per substitution (store/flush-shell.ts).
 */
import { flushShell } from '../store/flush-shell.js';

/** A flusher for the filesystem of the directories it is given (all in one store), and its end. */
export function groupFlush(): { flush: (dir: string) => Promise<void>; close: () => void } {
  const shell = flushShell();
  let running: Promise<void> | undefined;
  let next: { promise: Promise<void>; dir: string } | undefined;
  // One flush at a time (`running`): a flush covers only what was complete when it started.
  const run = (dir: string): Promise<void> => {
    running = shell.flush(dir).finally(() => { running = undefined; });
    return running;
  };
  const flush = (dir: string): Promise<void> => {
    if (!running) return run(dir);
    if (!next) {
      // Starts only once the running flush ends, so it sees every tree completed before this call.
      const after = running.catch(() => undefined).then(() => {
        next = undefined;
        return run(dir);
      });
      next = { promise: after, dir };
    }
    return next.promise;
  };
  return { flush, close: () => shell.close() };
}
