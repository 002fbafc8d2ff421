/**
 * A service with a `root:` input runs in bubblewrap: the tree (e.g. a
 * `deb:closure`) laid out read-only as `/` (as a build's root is), the
 * closure of its other inputs read-only at their store paths, its own
 * directory (`services/<id>/`: working directory, HOME, `$socket`) writable,
 * a private `/tmp`, `/proc` and a minimal `/dev`. As in a build, it runs as
 * uid 1000 in a user namespace of its own: a tree of packages has no
 * `/etc/passwd`, and a server started as root looks its `user` up there
 * (nginx: `getpwnam("nobody") failed`), while one started as a plain user
 * stays that user. Unlike a build's sandbox it shares the host's network
 * (a 127.0.0.1 endpoint must be reachable), and it is no new session: bwrap and the process stay in the group the supervisor
 * signals, and the new pid namespace ends whatever the process forked when
 * it ends. No `--die-with-parent`: a service outlives a supervisor that is
 * killed, and the next one adopts it.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { rootBinds } from '../package/root-binds.js';

export interface ServiceSandbox {
  /** The tree laid out as `/`. */
  readonly root: string;
  /** Object paths (the closure of the other inputs) bound read-only at their own paths. */
  readonly visible: readonly string[];
  /** The store directory, kept clear of the root's entries. */
  readonly storeDir: string;
}

/** The bwrap argv (after `bwrap`) that runs `program argv…` in `sandbox`, with `dir` writable and the working directory `cwd`. */
export function sandboxArgs(sandbox: ServiceSandbox, dir: string, cwd: string, env: Readonly<Record<string, string>>, program: string, argv: readonly string[]): string[] {
  const args = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--disable-userns', '--clearenv',
    '--uid', '1000', '--gid', '100',
    ...rootBinds(sandbox.root, sandbox.storeDir), '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'];
  // A bind follows a symlink: an object that is a link must appear as the link, not its target.
  for (const p of sandbox.visible) {
    if (lstatSync(p).isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else args.push('--ro-bind', p, p);
  }
  args.push('--bind', dir, dir);
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  // bwrap 0.8 cannot set argv[0], and a multi-call program (busybox) needs it: as a build does (package/sandbox.ts),
  // bind a store program under a path whose last component is argv[0]. A name looked up in the root needs no such help.
  let run = program;
  const argv0 = argv[0] ?? program;
  if (program.startsWith('/') && argv0 !== basename(program) && /^[A-Za-z0-9._+-]+$/.test(argv0) && argv0 !== '.' && argv0 !== '..') {
    run = `/nomia/argv0/${argv0}`;
    args.push('--ro-bind', program, run);
  }
  args.push('--remount-ro', '/', '--chdir', cwd, '--', run, ...argv.slice(1));
  return args;
}
