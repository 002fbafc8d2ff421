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
import { spawn } from 'node:child_process';
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
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
export type BuildExit = { readonly status: number } | { readonly signal: string };

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

/** Longest log line kept, in characters. */
const MAX_LINE = 64 * 1024;

/** Stream a child's output as lines. */
function lines(onLine: (line: string) => void) {
  let rest = '';
  return {
    data(chunk: Buffer) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const l of parts) onLine(l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} [… line cut]` : l);
      // A build printing without newlines must not grow the engine's memory without bound.
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
 * Run the build in the sandbox. Resolves with the build's exit; a sandbox
 * that cannot be set up is a `sandbox/unavailable` error, never mistaken
 * for a failing build.
 */
export function runSandboxed(req: SandboxRequest): Promise<BuildExit> {
  const bwrap = findBwrap();
  if (!bwrap) return Promise.reject(new NomiaError('sandbox/unavailable', 'cannot build in a sandbox: bubblewrap (bwrap) is not installed', { hint: UNAVAILABLE_HINT }));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bwrap, bwrapArgs(req, 3), { env: {}, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], signal: req.signal });
    const out = lines(req.onOutput);
    const err = lines(req.onOutput);
    const bwrapSays: string[] = [];
    let status = '';
    child.stdout!.on('data', out.data);
    child.stderr!.on('data', (chunk: Buffer) => {
      // bwrap's own complaints start with "bwrap:"; keep them to explain a failed setup.
      for (const l of chunk.toString('utf8').split('\n')) if (l.startsWith('bwrap:')) bwrapSays.push(l);
      err.data(chunk);
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => { status += c.toString('utf8'); });
    child.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ABORT_ERR') reject(e);
      else reject(new NomiaError('sandbox/unavailable', `cannot start bubblewrap: ${e.message}`, { hint: UNAVAILABLE_HINT }));
    });
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      // --json-status-fd writes the child's pid once the sandbox is up and its exit code at the end.
      const exit = /"exit-code"\s*:\s*(\d+)/.exec(status);
      const started = /"child-pid"/.test(status);
      if (exit) return resolvePromise({ status: Number(exit[1]) });
      if (started) return resolvePromise(signal ? { signal } : { status: code ?? 1 });
      if (signal) return resolvePromise({ signal });
      reject(new NomiaError('sandbox/unavailable', `cannot set up the build sandbox: ${bwrapSays.join('; ') || `bwrap exited with status ${code}`}`, { hint: UNAVAILABLE_HINT }));
    });
  });
}

/** Run the build without a sandbox (`--sandbox=none`): same argv and environment, the host's file system. */
export function runUnsandboxed(req: Omit<SandboxRequest, 'visible' | 'binds' | 'storeView'>): Promise<BuildExit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(req.program, req.argv.slice(1), { argv0: req.argv[0] ?? req.program, env: { ...req.env }, cwd: req.cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: req.signal });
    const out = lines(req.onOutput);
    const err = lines(req.onOutput);
    child.stdout.on('data', out.data);
    child.stderr.on('data', err.data);
    child.on('error', (e) => reject((e as NodeJS.ErrnoException).code === 'ABORT_ERR' ? e : new NomiaError('build/failed', `cannot start ${req.program}: ${e.message}`)));
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      resolvePromise(signal ? { signal } : { status: code ?? 1 });
    });
  });
}
