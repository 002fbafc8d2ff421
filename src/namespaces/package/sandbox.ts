/**
 * Running a build's command in a bubblewrap sandbox (or, when the user opts
 * out, without one). The sandbox has new user, pid, network, ipc and uts
 * namespaces and a read-only empty root holding only: the visible store
 * objects, read-only at their own paths; the store directory itself
 * writable (a scratch view, so `$out` can be created under its final-length
 * path); a private `/tmp`; `/proc`; a minimal `/dev`; and, for recursive
 * builds, the daemon channel. The environment is exactly what the caller
 * passes.
 */
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { runCommand, signalOfStatus, type CommandExit } from '../run-command.js';
import { rootBinds } from './root-binds.js';

export interface Bind {
  readonly host: string;
  readonly sandbox: string;
  readonly writable: boolean;
}

export interface SandboxRequest {
  /** The program's path (an input's store path); also its path in the sandbox. */
  readonly program: string;
  /** argv, argv[0] included. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The store directory as the build sees it, and the host directory that stands in for it (writable). */
  readonly storeDir: string;
  readonly storeView: string;
  /** Absolute object paths (under storeDir) bound read-only. */
  readonly visible: readonly string[];
  readonly binds: readonly Bind[];
  /** Working directory inside the sandbox. */
  readonly cwd: string;
  /** A tree laid out read-only as the sandbox's `/` (a `root:` input, e.g. a deb:closure); absent: an empty root. */
  readonly root?: string;
  readonly signal: AbortSignal;
  readonly onOutput: (line: string) => void;
}

export type SandboxMode = 'bubblewrap' | 'none';

/** How the build ended: its exit status or the signal that killed it. */
export type BuildExit = CommandExit;

let bwrapPath: string | undefined | null;

/** The bwrap executable on PATH, or null. */
function findBwrap(): string | null {
  if (bwrapPath === undefined) {
    bwrapPath = null;
    for (const dir of (process.env['PATH'] ?? '').split(':')) {
      const candidate = join(dir || '.', 'bwrap');
      try {
        accessSync(candidate, constants.X_OK);
        bwrapPath = candidate;
        break;
      } catch {
        // Not here.
      }
    }
  }
  return bwrapPath;
}

const UNAVAILABLE_HINT = 'install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or pass --sandbox=none to build without a sandbox';

/** The bwrap command line for a request (exported for the tests and `nomia build --dry-run`-style inspection). */
export function bwrapArgs(req: SandboxRequest, statusFd: number): string[] {
  const args = [
    '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--disable-userns', '--die-with-parent', '--new-session', '--clearenv',
    '--uid', '1000', '--gid', '100', '--hostname', 'nomia-build',
    ...(req.root === undefined ? [] : rootBinds(req.root, req.storeDir)),
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
    '--bind', req.storeView, req.storeDir,
  ];
  // A bind follows a symlink: an object that is a link (to /root, say) must appear as the link, not its target.
  for (const p of req.visible) {
    if (lstatSync(p).isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else args.push('--ro-bind', p, p);
  }
  for (const b of req.binds) args.push(b.writable ? '--bind' : '--ro-bind', b.host, b.sandbox);
  let program = req.program;
  const argv0 = req.argv[0] ?? program;
  // bwrap 0.8 cannot set argv[0]; a multi-call program (busybox) needs it. Bind the program under a path
  // whose last component is argv[0]: programs look at that component.
  if (argv0 !== basename(program) && /^[A-Za-z0-9._+-]+$/.test(argv0) && argv0 !== '.' && argv0 !== '..') {
    program = `/nomia/argv0/${argv0}`;
    args.push('--ro-bind', req.program, program);
  }
  for (const [k, v] of Object.entries(req.env)) args.push('--setenv', k, v);
  args.push('--remount-ro', '/', '--chdir', req.cwd, '--json-status-fd', String(statusFd), '--', program, ...req.argv.slice(1));
  return args;
}

/**
 * Run the build in the sandbox. Resolves with the build's exit; a sandbox
 * that cannot be set up is a `sandbox/unavailable` error, never mistaken
 * for a failing build.
 */
export async function runSandboxed(req: SandboxRequest): Promise<BuildExit> {
  const bwrap = findBwrap();
  if (!bwrap) throw new NomiaError('sandbox/unavailable', 'cannot build in a sandbox: bubblewrap (bwrap) is not installed', { hint: UNAVAILABLE_HINT });
  // bwrap's own complaints start with "bwrap:"; they explain a failed setup.
  const bwrapSays: string[] = [];
  const onOutput = (line: string) => {
    if (line.startsWith('bwrap:')) bwrapSays.push(line);
    req.onOutput(line);
  };
  // bwrapArgs always has --die-with-parent and --unshare-pid: the sandbox ends with this process by itself.
  const { exit, status } = await runCommand({ program: bwrap, args: bwrapArgs(req, 3), env: {}, signal: req.signal, onOutput, statusPipe: true, endsWithParent: true }).catch((e: Error) => {
    if (req.signal.aborted) throw e;
    throw new NomiaError('sandbox/unavailable', `cannot start bubblewrap: ${e.message}`, { hint: UNAVAILABLE_HINT });
  });
  // --json-status-fd writes the child's pid once the sandbox is up and its exit code at the end. bwrap
  // reports a child killed by signal N as 128+N (as a shell's $? does): that is reported as the signal.
  const code = /"exit-code"\s*:\s*(\d+)/.exec(status);
  if (code) {
    const signal = signalOfStatus(Number(code[1]));
    return signal ? { signal } : { status: Number(code[1]) };
  }
  if (/"child-pid"/.test(status) || 'signal' in exit) return exit;
  throw new NomiaError('sandbox/unavailable', `cannot set up the build sandbox: ${bwrapSays.join('; ') || `bwrap exited with status ${exit.status}`}`, { hint: UNAVAILABLE_HINT });
}

/** Run the build without a sandbox (`--sandbox=none`): same argv and environment, the host's file system. */
export async function runUnsandboxed(req: Omit<SandboxRequest, 'visible' | 'binds' | 'storeView'>): Promise<BuildExit> {
  const { exit } = await runCommand({
    program: req.program, args: req.argv.slice(1), argv0: req.argv[0] ?? req.program, env: req.env, cwd: req.cwd, signal: req.signal, onOutput: req.onOutput,
  }).catch((e: Error) => {
    if (req.signal.aborted) throw e;
    throw new NomiaError('build/failed', `cannot start ${req.program}: ${e.message}`);
  });
  return exit;
}
