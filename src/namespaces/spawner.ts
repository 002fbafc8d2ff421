/**
 * A spawner (`spawners.ts`): a small Node process that starts the commands
 * it is sent with `startCommand` and sends back what they report. Its own
 * watchdog (`group-watchdog.ts`) watches its commands' groups; when nomia
 * goes (however it went) the channel closes and the spawner exits, which
 * closes the watchdog's pipe: the groups still running are killed.
 */
import { startCommand, type StartedCommand } from './command-process.js';
import type { FromSpawner, ToSpawner } from './spawners.js';

const started = new Map<number, StartedCommand>();
const post = (m: FromSpawner) => process.send!(m);

// A Ctrl-C reaches the whole foreground group: nomia cancels what runs (SIGTERM to each group), not this process.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => undefined);
process.on('disconnect', () => process.exit(0));
process.on('message', (m: ToSpawner) => {
  if (m.kind === 'cancel') {
    started.get(m.id)?.cancel();
    return;
  }
  const { id } = m;
  try {
    started.set(id, startCommand(m.spec, {
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
