/**
 * Recursive builds: a build asks the daemon to realize more names while it
 * runs (`nomia realize NAME` inside the sandbox). The engine process that
 * runs the build is its daemon: it listens on a channel bound into the
 * sandbox at /nomia/daemon, realizes the name with the build's own realize
 * context, copies the result (and its closure) into the build's view of the
 * store, and answers with the path. Only names whose namespaces the build
 * was granted (`recursive=[…]`) are realized; everything realized is
 * remembered, so the build's name can be refined into one that takes those
 * resources as explicit inputs.
 *
 * The channel is a pair of named pipes rather than a Unix socket because
 * the tools a build has (a static bash, busybox) cannot open a Unix socket;
 * the protocol is one line each way (docs/namespaces/package.md).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, constants, cpSync, existsSync, lstatSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { closure, entryOf, NomiaError, type Resource, type Store } from '../../namespace/index.js';
import { checkGrant } from '../../daemon/grants.js';
import { onLines } from '../../daemon/lines.js';
import type { Bind } from './sandbox.js';

export const SANDBOX_CHANNEL = '/nomia/daemon';
export const SANDBOX_BIN = '/nomia/bin';

export interface RecursionRequest {
  readonly work: string;
  readonly storeView: string;
  readonly store: Store;
  readonly granted: readonly string[];
  readonly resolve: (name: string, options?: { readonly pure?: boolean; readonly signal?: AbortSignal }) => Promise<readonly Resource[]>;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

export interface Recursion {
  readonly sandboxDir: string;
  readonly binDir: string;
  readonly binds: readonly Bind[];
  /** Store entries made visible to the build so far (candidates for its references). */
  objects(): string[];
  /** The resources the build realized, in the order it first asked for them. */
  used(): Resource[];
  /** Stop serving: end the requests in flight (the build that asked is gone) and wait for them. */
  close(): Promise<void>;
}

/**
 * The client, run by the build's shell. It has no `#!` line on purpose: the
 * sandbox has no /bin/sh, and a shell runs a script without one itself.
 * It needs `mkfifo` and `rm` (busybox has them).
 */
const CLIENT = `# nomia: the daemon's client inside a build. Usage: nomia realize NAME
if [ "$1" != realize ] || [ $# -ne 2 ]; then
  echo "usage: nomia realize NAME (the one command a build can use)" >&2
  exit 2
fi
case "$2" in *'
'*) echo "nomia: write the name on one line" >&2; exit 2 ;; esac
d="\${NOMIA_DAEMON:-${SANDBOX_CHANNEL}}"
reply="reply.$$"
rm -f "$d/$reply"
mkfifo "$d/$reply" || exit 1
tab=$(printf '\\t')
printf 'realize\\t%s\\t%s\\n' "$reply" "$2" > "$d/requests"
IFS="$tab" read -r status path name < "$d/$reply"
rm -f "$d/$reply"
if [ "$status" = ok ]; then
  printf '%s\\n' "$path"
  exit 0
fi
echo "nomia: $path" >&2
exit 1
`;

/** Write `line` to the client's reply pipe, which must be a FIFO in the channel (never a link the build planted). */
async function answer(dir: string, reply: string, line: string, signal: AbortSignal): Promise<void> {
  const path = join(dir, reply);
  const deadline = Date.now() + 10_000;
  for (;;) {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return; // The client is gone.
    }
    if (!st.isFIFO()) return;
    try {
      const fh = await openAsync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      try {
        await fh.write(`${line}\n`);
      } finally {
        await fh.close();
      }
      return;
    } catch (e) {
      // ENXIO: the client has not opened its end yet.
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline || signal.aborted) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export async function openRecursion(req: RecursionRequest): Promise<Recursion> {
  const dir = join(req.work, 'daemon');
  const bin = join(req.work, 'nomia-bin');
  mkdirSync(dir);
  mkdirSync(bin);
  writeFileSync(join(bin, 'nomia'), CLIENT, { mode: 0o555 });
  // Only the build (whose uid maps to this process's) may use the channel: not other users of the host.
  chmodSync(dir, 0o700);
  const staging = join(req.work, 'staging');
  mkdirSync(staging, { mode: 0o700 });
  const requests = join(dir, 'requests');
  const made = spawnSync('mkfifo', ['-m', '0600', requests]);
  if (made.status !== 0) throw new NomiaError('daemon/io', `cannot create the daemon channel ${requests}: ${made.stderr?.toString().trim() || made.error?.message}`, { hint: 'mkfifo (coreutils) must be installed' });
  // Read and write: the pipe then never reports end-of-file when a client closes it.
  const fd = openSync(requests, constants.O_RDWR | constants.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  const used = new Map<string, Resource>();
  const visible = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  // Aborted when the build has ended: what it still asked for is not needed, and no client is left to answer.
  const ended = new AbortController();
  const stop = AbortSignal.any([req.signal, ended.signal]);

  const makeVisible = (r: Resource) => {
    if (r.kind !== 'object') return;
    const entry = entryOf(req.store, r.path);
    if (!entry) return;
    for (const o of closure(req.store, [entry])) {
      if (visible.has(o)) continue;
      const dest = join(req.storeView, o);
      // A copy, not a bind or a hard link: the build may write in its view of the store, never in the store.
      // It is made where the build cannot reach and then renamed into its view in one step: a copy walked
      // by path inside the view could be redirected by the build (a directory swapped for a symlink).
      const staged = join(staging, o);
      if (!existsSync(staged)) cpSync(join(req.store.layout.storeDir, o), staged, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      try {
        renameSync(staged, dest);
      } catch (e) {
        throw new NomiaError('daemon/io', `cannot make ${o} visible to the build: its view of the store has something else at that path (${(e as NodeJS.ErrnoException).code})`);
      }
      visible.add(o);
    }
  };

  const serve = async (line: string) => {
    const [op, reply, ...rest] = line.split('\t');
    const name = rest.join('\t');
    if (!reply || !/^reply\.\d+$/.test(reply)) return;
    let response: string;
    try {
      if (op !== 'realize') throw new NomiaError('usage', `unknown request ${JSON.stringify(op)}; the daemon answers \`realize NAME\``);
      checkGrant(name, req.granted);
      req.log(`recursive: realizing ${name}`);
      const roots = await req.resolve(name, { pure: true, signal: stop });
      if (roots.length !== 1) throw new NomiaError('usage', `\`${name}\` has ${roots.length} results; ask for one`);
      const r = roots[0]!;
      makeVisible(r);
      if (!used.has(r.name)) used.set(r.name, r);
      response = `ok\t${r.kind === 'object' ? r.path : r.value}\t${r.name}`;
    } catch (e) {
      response = `error\t${(e as Error).message.split('\n')[0]}`;
      req.log(`recursive: refused or failed: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!stop.aborted) await answer(dir, reply, response.replace(/\n/g, ' '), stop);
  };

  onLines(socket, (line) => {
    const p = serve(line).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  socket.on('error', () => undefined);

  return {
    sandboxDir: SANDBOX_CHANNEL,
    binDir: SANDBOX_BIN,
    binds: [{ host: dir, sandbox: SANDBOX_CHANNEL, writable: true }, { host: bin, sandbox: SANDBOX_BIN, writable: false }],
    objects: () => [...visible],
    used: () => [...used.values()],
    async close() {
      socket.destroy();
      ended.abort(new NomiaError('realize/failed', 'cancelled: the build that asked for it has ended'));
      await Promise.allSettled([...inFlight]);
    },
  };
}

