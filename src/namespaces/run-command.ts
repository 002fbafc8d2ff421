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
 *   kills the group (`group-watchdog.ts`).
 * - Descriptors this process inherited without close-on-exec are closed
 *   before the command starts (`inherited-fds.ts`): the command gets stdin,
 *   stdout, stderr and the pipes asked for, nothing else.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { NomiaError } from '../errors.js';
import { startWatchdog, watchGroup } from './group-watchdog.js';
import { closeInheritedDescriptors } from './inherited-fds.js';

export interface CommandRequest {
  /** A path, or a name looked up on `env.PATH`. */
  readonly program: string;
  /** The arguments after argv[0]. */
  readonly args: readonly string[];
  /** argv[0]; default `program`. */
  readonly argv0?: string;
  /** The command's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Aborting it ends the command's group; the run then rejects with the abort's reason. */
  readonly signal: AbortSignal;
  /** Each line the command writes to stdout or stderr. */
  readonly onOutput: (line: string) => void;
  /** Open a fourth pipe at fd 3 and collect what the command writes to it (bwrap's --json-status-fd). */
  readonly statusPipe?: boolean;
}

/** How a command ended: its exit status or the signal that killed it. */
export type CommandExit = { readonly status: number } | { readonly signal: string };

export interface CommandResult {
  readonly exit: CommandExit;
  /** What arrived on fd 3 (with `statusPipe`), else ''. */
  readonly status: string;
}

/** Between SIGTERM and SIGKILL on cancel. */
const GRACE_MS = 2000;

/** Longest log line kept, in characters. */
const MAX_LINE = 64 * 1024;

/** How a failed command ended, after its subject: "failed with exit status 2", "was killed by signal SIGKILL". */
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

export function failureText(exit: CommandExit): string {
  return 'status' in exit ? `failed with exit status ${exit.status}` : `was killed by signal ${exit.signal}`;
}

/** The signal a shell-style status 128+N stands for (a status bwrap reports for a child killed by N), or undefined. */
export function signalOfStatus(status: number): string | undefined {
  if (status <= 128) return undefined;
  return Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
}

/** Split a stream into lines; a line longer than MAX_LINE is cut, so a build printing without newlines cannot grow memory. */
function lines(onLine: (line: string) => void) {
  let rest = '';
  return {
    data(chunk: Buffer) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const l of parts) onLine(l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} [… line cut]` : l);
      if (rest.length > MAX_LINE) {
        onLine(`${rest.slice(0, MAX_LINE)} [… line cut]`);
        rest = '';
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/**
 * Run a command to its end. Rejects with the spawn error when it cannot
 * start, and with the signal's reason when cancelled.
 */
export function runCommand(req: CommandRequest): Promise<CommandResult> {
  if (req.signal.aborted) return Promise.reject(abortReason(req.signal));
  closeInheritedDescriptors();
  return new Promise((resolvePromise, reject) => {
    startWatchdog();
    const child = spawn(req.program, req.args, {
      argv0: req.argv0 ?? req.program, env: { ...req.env }, detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(req.statusPipe ? ['pipe' as const] : [])],
      ...(req.cwd === undefined ? {} : { cwd: req.cwd }),
    });
    // Tell the watchdog at once: the time from the spawn to this write is the only moment nomia's death would
    // go unnoticed.
    const watch = child.pid === undefined ? undefined : watchGroup(child.pid);
    let groupEnded = false;
    const signalGroup = (sig: NodeJS.Signals) => {
      if (groupEnded || child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is empty already.
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      groupEnded = true;
      clearTimeout(killTimer);
      req.signal.removeEventListener('abort', onAbort);
      watch?.unwatch();
      finish();
    };

    const out = lines(req.onOutput);
    const err = lines(req.onOutput);
    let status = '';
    child.stdout!.on('data', out.data);
    child.stderr!.on('data', err.data);
    if (req.statusPipe) (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => { status += c.toString('utf8'); });
    child.on('error', (e) => settle(() => reject(e)));
    // What the command left running in its group ends with it.
    child.on('exit', () => signalGroup('SIGKILL'));
    child.on('close', (code, sig) => settle(() => {
      out.end();
      err.end();
      if (req.signal.aborted) reject(abortReason(req.signal));
      else resolvePromise({ exit: sig ? { signal: sig } : { status: code ?? 1 }, status });
    }));
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new NomiaError('realize/failed', 'cancelled');
}
