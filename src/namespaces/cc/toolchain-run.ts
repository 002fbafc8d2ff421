/**
 * Running one tool of the toolchain (gcc, ar) in the package namespace's
 * bubblewrap sandbox with the toolchain tree as its `/`. The caller lays
 * its inputs out at fixed paths (`/src/<name>`, `/include/<n>/…`,
 * `/obj/<n>/<name>`) and gets what the tool wrote to `/out` back in a host
 * directory. No path of the user's checkout or of the store reaches the
 * command line, so the command, the output and the spelling are the same
 * wherever the sources lie.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NomiaError, type RealizeContext, type Resource, usage, type AtomRequest } from '../../namespace/index.js';
import { failureText } from '../run-command.js';
import { ROOT_PATH } from '../package/root-binds.js';
import { runSandboxed, type Bind } from '../package/sandbox.js';

/** A file or tree of the host bound read-only at a fixed path in the sandbox. */
export interface Placed {
  readonly host: string;
  readonly at: string;
}

export interface ToolRun {
  /** The toolchain root (a directory tree, e.g. a `deb:closure`). */
  readonly toolchain: string;
  /** The program, an absolute path inside the toolchain (`/usr/bin/gcc`). */
  readonly program: string;
  readonly argv: readonly string[];
  readonly placed: readonly Placed[];
  /** A host directory the tool sees, writable, at `outAt` (default `/out`). */
  readonly out: string;
  /** Where the tool sees `out`: `/build` for a configure, whose paths are baked into what it writes. */
  readonly outAt?: string;
  /** The tool's working directory in the sandbox (default `/tmp`). */
  readonly cwd?: string;
  /** A scratch directory of the caller's (stands in for the store directory in the sandbox). */
  readonly work: string;
}

/** The toolchain input as a tree, checked to have `program`. */
export function toolchainOf(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, program: string): string {
  const t = inputs['toolchain'];
  if (!t) throw usage(req, 'needs the input `toolchain`, a root tree with the compiler', 'e.g. toolchain: deb:closure?packages=[gcc, libc6-dev]');
  if (t.kind !== 'object' || t.type !== 'dir') throw usage(req, `takes a directory tree as \`toolchain\`, but ${t.name} is not one`, 'e.g. toolchain: deb:closure?packages=[gcc, libc6-dev]');
  try {
    if (statSync(join(t.path, program)).isFile()) return t.path;
  } catch {
    // Reported below.
  }
  throw usage(req, `runs ${program} from its toolchain, but ${t.name} has no such file`, 'add the package that ships it: deb:closure?packages=[gcc, libc6-dev]');
}

/** Run the tool; a failure is `build/failed` with the tool's last lines. */
export async function runTool(ctx: RealizeContext, run: ToolRun): Promise<void> {
  const storeView = join(run.work, 'store-view');
  mkdirSync(storeView, { recursive: true });
  const binds: Bind[] = [
    ...run.placed.map((p) => ({ host: p.host, sandbox: p.at, writable: false })),
    { host: run.out, sandbox: run.outAt ?? '/out', writable: true },
  ];
  const tail: string[] = [];
  const onOutput = (line: string) => {
    ctx.log(line);
    tail.push(line);
    if (tail.length > 25) tail.shift();
  };
  // The command, for `nomia log NAME` (and a count of the runs in a node's events).
  ctx.log(`$ ${run.argv.join(' ')}`);
  const exit = await runSandboxed({
    program: run.program, argv: run.argv, storeDir: ctx.store.layout.storeDir, storeView, visible: [], binds, cwd: run.cwd ?? '/tmp', root: run.toolchain,
    env: { PATH: ROOT_PATH, HOME: '/homeless-shelter', TMPDIR: '/tmp', LC_ALL: 'C', SOURCE_DATE_EPOCH: '1' },
    signal: ctx.signal, onOutput,
  });
  if (!('status' in exit) || exit.status !== 0) {
    throw new NomiaError('build/failed', `${run.argv.join(' ')} ${failureText(exit)}${tail.length ? `; its last lines:\n  ${tail.join('\n  ')}` : ' and printed nothing'}`, {
      hint: 'the whole log: nomia log NAME',
    });
  }
}
