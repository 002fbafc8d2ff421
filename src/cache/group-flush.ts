/**
 * One `sync -f` for many imports. A substitution restores several objects
 * at once, and each must be on disk before its row is committed
 * (store/commit.ts tells the crash story). `sync -f` flushes the whole
 * filesystem, so one flush that starts after a tree is complete covers
 * that tree and every other one complete by then: callers that arrive
 * while a flush runs wait for the next one, which starts when it ends and
 * serves them all. Asynchronous, so downloads and restores go on
 * meanwhile; and run by one small shell started once per substitution
 * (it reads a directory a line and answers with `sync -f`'s status), since
 * forking this process for each flush cost more than the flush under load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NomiaStoreError } from '../errors.js';

/** A flusher for the filesystem of the directories it is given (all in one store), and its end. */
export function groupFlush(): { flush: (dir: string) => Promise<void>; close: () => void } {
  let running: Promise<void> | undefined;
  let next: { promise: Promise<void>; dir: string } | undefined;
  let shell: { child: ChildProcess; answer: ((status: string) => void) | undefined } | undefined;

  const start = (): NonNullable<typeof shell> => {
    const child = spawn('sh', ['-c', 'while IFS= read -r d; do sync -f -- "$d"; echo $?; done'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const s: NonNullable<typeof shell> = { child, answer: undefined };
    child.stdin!.on('error', () => undefined); // a dead shell is said by its exit
    createInterface({ input: child.stdout! }).on('line', (line) => s.answer?.(line));
    // A shell that cannot start or dies fails the flush under way, and the next flush starts another.
    const gone = (why: string): void => {
      if (shell === s) shell = undefined;
      s.answer?.(why);
    };
    child.once('error', (e) => gone(`could not run (${e.message})`));
    child.once('exit', (code) => gone(`the shell running it exited with status ${code}`));
    return s;
  };
  // One flush at a time (`running`), so answers come back in order, one awaited at a time.
  const run = (dir: string): Promise<void> => new Promise((resolve, reject) => {
    const s = (shell ??= start());
    s.answer = (status) => {
      s.answer = undefined;
      if (status === '0') resolve();
      else reject(failed(dir, /^\d+$/.test(status) ? `exited with status ${status}` : status));
    };
    s.child.stdin!.write(`${dir}\n`);
  });

  const flush = (dir: string): Promise<void> => {
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
  return { flush, close: () => shell?.child.stdin!.end() };
}

function failed(dir: string, why: string): NomiaStoreError {
  return new NomiaStoreError('store/io', `cannot flush ${dir} to disk: \`sync -f\` ${why}`, {
    path: dir, hint: 'install coreutils, or set NOMIA_FSYNC=0 to skip flushing (a power loss may then lose recent objects)',
  });
}
