/**
 * A command thread (`command-threads.ts`): starts the commands it is sent
 * with `startCommand` and posts back what they report. Its own watchdog
 * (`group-watchdog.ts` keeps one per thread) watches its commands' groups.
 */
import { parentPort } from 'node:worker_threads';
import { startCommand, type CommandSpec, type StartedCommand } from './command-process.js';
import type { FromThread, ToThread } from './command-threads.js';

const started = new Map<number, StartedCommand>();
const post = (m: FromThread) => parentPort!.postMessage(m);

parentPort!.on('message', (m: ToThread) => {
  if (m.kind === 'cancel') {
    started.get(m.id)?.cancel();
    return;
  }
  const { id } = m;
  try {
    started.set(id, startCommand(m.spec as CommandSpec, {
      lines: (lines) => post({ kind: 'lines', id, lines }),
      status: (text) => post({ kind: 'status', id, text }),
      error: (e) => {
        started.delete(id);
        post({ kind: 'error', id, error: { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.errno ? { errno: e.errno } : {}), ...(e.syscall ? { syscall: e.syscall } : {}), ...(e.path ? { path: e.path } : {}) } });
      },
      close: (code, signal) => {
        started.delete(id);
        post({ kind: 'close', id, code, signal });
      },
    }));
  } catch (e) {
    // spawn throws (rather than emitting `error`) for arguments it refuses, e.g. a NUL byte.
    const err = e as NodeJS.ErrnoException;
    post({ kind: 'error', id, error: { message: err.message, ...(err.code ? { code: err.code } : {}) } });
  }
});
post({ kind: 'ready' });
