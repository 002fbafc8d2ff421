/**
 * Starting one command as `run-command.ts` promises (its own session and
 * process group, watched by `group-watchdog.ts` unless it ends with its
 * parent by itself, what it leaves running
 * killed when it exits, its output cut into lines), in whichever process
 * calls it: nomia's, or a spawner (`spawners.ts`).
 * What happens is reported to `on`; the caller turns it into a promise.
 */
import { spawn } from 'node:child_process';
import { startWatchdog, watchGroup } from './group-watchdog.js';

/** What a spawner is sent: a `CommandRequest` without its callbacks and signal. */
export interface CommandSpec {
  /** A path, or a name looked up on `env.PATH`. */
  readonly program: string;
  /** The arguments after argv[0]. */
  readonly args: readonly string[];
  /** argv[0]; default `program`. */
  readonly argv0?: string;
  /** The command's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Open a fourth pipe at fd 3 and collect what the command writes to it (bwrap's --json-status-fd). */
  readonly statusPipe?: boolean;
  /**
   * The command ends, with everything it started, when the process that started it dies: bwrap with
   * `--die-with-parent` (the kernel's parent-death signal, SIGKILL) and `--unshare-pid` (whatever runs in
   * the sandbox dies with the namespace's first process, bwrap's child, which has the same signal). Such
   * a command needs no watchdog, and the process that runs only such commands starts none: a fork of a
   * large process and a shell's start spared.
   */
  readonly endsWithParent?: boolean;
}

/** What a started command reports, in this order: lines and status text while it runs, then one `error` or one `close`. */
export interface CommandEvents {
  lines(lines: string[]): void;
  status(text: string): void;
  /** It could not start (the spawn's error: ENOENT, EACCES, …). */
  error(e: NodeJS.ErrnoException): void;
  close(code: number | null, signal: NodeJS.Signals | null): void;
}

/** A started command: `cancel` ends its group (SIGTERM, then SIGKILL after a grace period). */
export interface StartedCommand {
  cancel(): void;
}

/** Between SIGTERM and SIGKILL on cancel. */
const GRACE_MS = 2000;

/** Longest log line kept, in characters. */
const MAX_LINE = 64 * 1024;

/** Split a stream into lines; a line longer than MAX_LINE is cut, so a build printing without newlines cannot grow memory. */
function lines(onLines: (lines: string[]) => void) {
  let rest = '';
  const cut = (l: string) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} [… line cut]` : l);
  return {
    data(chunk: Buffer) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      const out = parts.map(cut);
      if (rest.length > MAX_LINE) {
        out.push(cut(rest));
        rest = '';
      }
      if (out.length) onLines(out);
    },
    end() {
      if (rest) onLines([rest]);
      rest = '';
    },
  };
}

/** Start `spec`; see the module's comment. */
export function startCommand(spec: CommandSpec, on: CommandEvents): StartedCommand {
  if (!spec.endsWithParent) startWatchdog();
  const child = spawn(spec.program, spec.args, {
    argv0: spec.argv0 ?? spec.program, env: { ...spec.env }, detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...(spec.statusPipe ? ['pipe' as const] : [])],
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
  // Tell the watchdog at once: the time from the spawn to this write is the only moment nomia's death would
  // go unnoticed.
  const watch = child.pid === undefined || spec.endsWithParent ? undefined : watchGroup(child.pid);
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
  let settled = false;
  const settle = (finish: () => void) => {
    if (settled) return;
    settled = true;
    groupEnded = true;
    clearTimeout(killTimer);
    watch?.unwatch();
    finish();
  };
  const out = lines(on.lines);
  const err = lines(on.lines);
  child.stdout!.on('data', out.data);
  child.stderr!.on('data', err.data);
  if (spec.statusPipe) (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => on.status(c.toString('utf8')));
  child.on('error', (e) => settle(() => on.error(e)));
  // What the command left running in its group ends with it.
  child.on('exit', () => signalGroup('SIGKILL'));
  child.on('close', (code, sig) => settle(() => {
    out.end();
    err.end();
    on.close(code, sig);
  }));
  return {
    cancel() {
      if (settled || killTimer) return;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
    },
  };
}
