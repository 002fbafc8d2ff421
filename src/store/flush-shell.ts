/**
 * `sync -f DIR` (syncfs(2), as `syncFileSystem` runs it), awaited without
 * blocking or forking Node: forking a Node process (hundreds of MB mapped)
 * for each flush took ~50 ms of the main thread under load, and a closure or
 * a substitution flushes a hundred trees. One small shell reads directories
 * from its stdin, a line each, runs `sync -f` for each and answers its exit
 * status, a line each, in the order asked. Users: the deb namespace's trees
 * (one shell per process) and a substitution's group flush (cache/group-flush.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { flushFailed } from './fs-util.js';

/** A running flush shell: see `flushShell`. */
export interface FlushShell {
  /**
   * Flush the file system holding `dir`: resolves once what was written there is on disk; rejects with
   * `store/io` when `sync -f` fails, or the shell cannot run or dies (the next call starts another).
   */
  flush(dir: string): Promise<void>;
  /** End the shell once it has answered what was asked (its stdin closes). */
  close(): void;
}

interface Shell {
  readonly child: ChildProcess;
  /** The answers awaited, in the order the directories were sent. */
  readonly waiting: ((status: string) => void)[];
}

/** A pipe's handle, to ref or unref. */
const handle = (stream: unknown) => stream as { ref?: () => void; unref?: () => void };

/**
 * A flush shell, started at its first flush.
 * @param options.background the shell keeps this process alive only while an answer is awaited: for one
 *   that lives as long as the process and is never closed (at exit its stdin closes and it ends).
 */
export function flushShell(options: { readonly background?: boolean } = {}): FlushShell {
  let shell: Shell | undefined;
  const start = (): Shell => {
    const child = spawn('sh', ['-c', 'while IFS= read -r d; do sync -f -- "$d"; echo $?; done'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const s: Shell = { child, waiting: [] };
    child.stdin!.on('error', () => undefined); // a dead shell is said by its end
    if (options.background) {
      child.unref();
      handle(child.stdin).unref?.();
      handle(child.stdout).unref?.();
    }
    createInterface({ input: child.stdout! }).on('line', (line) => {
      s.waiting.shift()?.(line);
      if (options.background && s.waiting.length === 0) handle(child.stdout).unref?.();
    });
    // A shell that cannot start or dies fails the flushes awaited; the next flush starts another.
    const gone = (why: string): void => {
      if (shell === s) shell = undefined;
      for (const answer of s.waiting.splice(0)) answer(why);
    };
    child.once('error', (e) => gone(`could not run (${e.message})`));
    child.once('close', (code, signal) => gone(`ran in a shell that ended (${signal ?? `status ${code}`})`));
    return s;
  };
  return {
    flush: (dir) => new Promise((resolve, reject) => {
      // The shell reads a line per directory.
      if (dir.includes('\n')) return reject(flushFailed(dir, 'cannot be given a path with a line break'));
      const s = (shell ??= start());
      s.waiting.push((status) => (status === '0' ? resolve() : reject(flushFailed(dir, /^\d+$/.test(status) ? `exited with status ${status}` : status))));
      if (options.background && s.waiting.length === 1) handle(s.child.stdout).ref?.();
      s.child.stdin!.write(`${dir}\n`);
    }),
    close: () => shell?.child.stdin!.end(),
  };
}
