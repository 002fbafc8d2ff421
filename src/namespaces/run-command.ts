/**
 * Running a command for a namespace (an `exec:run` command, a build, the
 * bubblewrap around a build) so that nothing it starts outlives it:
 *
 * - It runs in a session and process group of its own. When it exits,
 *   whatever it left running in that group is killed (as Nix kills what a
 *   builder leaves behind); on cancel the group gets SIGTERM, and SIGKILL
 *   after a grace period. A grandchild (`sh -c "sleep 20"`) no longer holds
 *   a cancelled realize.
 * - Should nomia die without cleaning up (SIGKILL, a crash), a watchdog
 *   kills the group (`group-watchdog.ts`); a command that ends with its
 *   parent by itself (bwrap, `CommandSpec.endsWithParent`) needs none.
 * - Descriptors this process inherited without close-on-exec are closed
 *   before the command starts (`inherited-fds.ts`): the command gets stdin,
 *   stdout, stderr and the pipes asked for, nothing else.
 */
import { constants } from 'node:os';
import { NomiaError } from '../errors.js';
import type { CommandSpec } from './command-process.js';
import { startSpawned } from './spawners.js';
import { closeInheritedDescriptors } from './inherited-fds.js';

export interface CommandRequest extends CommandSpec {
  /** Aborting it ends the command's group; the run then rejects with the abort's reason. */
  readonly signal: AbortSignal;
  /** Each line the command writes to stdout or stderr. */
  readonly onOutput: (line: string) => void;
}

/** How a command ended: its exit status or the signal that killed it. */
export type CommandExit = { readonly status: number } | { readonly signal: string };

export interface CommandResult {
  readonly exit: CommandExit;
  /** What arrived on fd 3 (with `statusPipe`), else ''. */
  readonly status: string;
}

/**
 * What to do when a command could not start (`spawn` failed with `err`):
 * the usual causes, as users meet them, each with its fix.
 */
export function startFailureHint(program: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'EACCES') {
    return 'it is not executable (a file imported without its x bit keeps it off); run it through its interpreter, e.g. args=[sh, $script]';
  }
  if (err.code === 'ENOENT' && program.includes('/') && !program.startsWith('/')) {
    return `a relative program is looked up in the command's own work directory, not in yours; pass the file as an input: args=[sh, $script](script: filesystem:import?path=${program})`;
  }
  if (err.code === 'ENOENT' && program.startsWith('/')) return 'it, or the interpreter on its #! line, does not exist';
  return 'is it on PATH? the command runs with the PATH of the caller';
}

/** How a failed command ended, after its subject: "failed with exit status 2", "was killed by signal SIGKILL". */
export function failureText(exit: CommandExit): string {
  return 'status' in exit ? `failed with exit status ${exit.status}` : `was killed by signal ${exit.signal}`;
}

/** The signal a shell-style status 128+N stands for (a status bwrap reports for a child killed by N), or undefined. */
export function signalOfStatus(status: number): string | undefined {
  if (status <= 128) return undefined;
  return Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
}

/**
 * Run a command to its end. Rejects with the spawn error when it cannot
 * start, and with the signal's reason when cancelled.
 */
export function runCommand(req: CommandRequest): Promise<CommandResult> {
  if (req.signal.aborted) return Promise.reject(abortReason(req.signal));
  closeInheritedDescriptors();
  return new Promise((resolvePromise, reject) => {
    let status = '';
    const spec: CommandSpec = {
      program: req.program, args: req.args, env: req.env,
      ...(req.argv0 === undefined ? {} : { argv0: req.argv0 }), ...(req.cwd === undefined ? {} : { cwd: req.cwd }), ...(req.statusPipe ? { statusPipe: true } : {}),
      ...(req.endsWithParent ? { endsWithParent: true } : {}),
    };
    const onAbort = () => started.cancel();
    const started = startSpawned(spec, {
      lines: (lines) => { for (const l of lines) req.onOutput(l); },
      status: (text) => { status += text; },
      error: (e) => {
        req.signal.removeEventListener('abort', onAbort);
        reject(e);
      },
      close: (code, sig) => {
        req.signal.removeEventListener('abort', onAbort);
        if (req.signal.aborted) reject(abortReason(req.signal));
        else resolvePromise({ exit: sig ? { signal: sig } : { status: code ?? 1 }, status });
      },
    });
    req.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new NomiaError('realize/failed', 'cancelled');
}
