/**
 * `ninja:command?command=…[&dir=…]&inputs=[…]&outputs=[…](i0, i1, …, toolchain: T)`:
 * one ninja edge run as written, in the sandbox with the toolchain tree as
 * `/`. The build directory is `dir` (writable, the command's working
 * directory, as ninja runs commands): `/build` by default, or a directory
 * under `/src` for a build directory inside the source directory, so that
 * `../` from it stays in the project. The source directory is `/src`; each
 * positional input is bound read-only at the path `inputs` gives it, and
 * nothing else of the project is there. The result is a tree holding the
 * `outputs` (paths relative to the build directory), so a later edge takes
 * one of them by projection and is spelled by that file's content alone.
 *
 * With `depfile=PATH` and the whole source tree at `/src`, the edge is a
 * compile run as a command, and learns which files it read
 * (compile-command.ts): it reduces to the same command with exactly those
 * files as inputs, by content.
 */
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { addPath, type AtomRequest, NomiaError, objectResource, onlyParams, type RealizeContext, type Resource, requireParam, stringParam, usage, withWorkDir } from '../../namespace/index.js';
import { compileCommand } from './compile-command.js';
import { failureText } from '../run-command.js';
import { ROOT_PATH } from '../package/root-binds.js';
import { runSandboxed, type Bind } from '../package/sandbox.js';

const SH = '/bin/sh';

function paths(req: AtomRequest, key: string, check: (p: string) => boolean, example: string): string[] {
  const p = req.params.find((x) => x.key === key);
  if (!p) return [];
  if (p.value.kind !== 'List' || p.value.items.some((v) => v.kind !== 'String')) throw usage(req, `takes a list of paths in \`${key}\``, example);
  const items = p.value.items.map((v) => (v.kind === 'String' ? v.value : ''));
  for (const i of items) {
    const n = posix.normalize(i);
    if (n !== i || !check(i) || i.split('/').includes('..')) throw usage(req, `has the path ${JSON.stringify(i)} in \`${key}\``, example);
  }
  return items;
}

/** The working directory: `/build`, or a directory under `/src`. */
function workingDir(req: AtomRequest): string {
  const p = req.params.find((x) => x.key === 'dir');
  if (!p) return '/build';
  const d = p.value.kind === 'String' ? p.value.value : '';
  if (d === '/build') return d;
  if (posix.normalize(d) !== d || !d.startsWith('/src/') || d.split('/').includes('..')) throw usage(req, 'takes `/build` or a directory under `/src` as `dir`', 'dir="/src/build"');
  return d;
}

/**
 * The read-only binds that show the tree `host` at `at`, with room for the directory `dir` in it. A build
 * directory inside the source directory (Meson's `build/`) is left out of the source tree (ninja:files skips
 * a nested build directory), and a bind cannot make a directory inside a read-only one: so each directory on
 * the way to `dir` is shown entry by entry, in a directory the sandbox makes, and `dir` can be bound there.
 */
function treeBinds(host: string, at: string, dir: string): Bind[] {
  if (!dir.startsWith(`${at}/`)) return [{ host, sandbox: at, writable: false }];
  const next = dir.slice(at.length + 1).split('/')[0]!;
  // A bind follows a symlink: such an entry shows its target's contents, and a dangling one nothing (bwrap refuses it).
  return readdirSync(host).filter((e) => existsSync(join(host, e))).flatMap((e) => (e === next ? treeBinds(join(host, e), `${at}/${e}`, dir) : [{ host: join(host, e), sandbox: `${at}/${e}`, writable: false }]));
}

/** Copy the tree `from` to `to` with its directories writable (a store tree's are not): the command writes its outputs there. */
function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  const open = (d: string): void => {
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) open(join(d, e.name));
  };
  open(to);
}

/** An edge's request, checked: its command, working directory, inputs at their sandbox paths, outputs and toolchain. */
export interface EdgeRun {
  readonly text: string;
  readonly dir: string;
  /** Each positional input, at its sandbox path (`/src` the whole source tree, `dir` a tree copied into it). */
  readonly placed: readonly Bind[];
  readonly outputs: readonly string[];
  /** The toolchain tree (a store path) and its name. */
  readonly toolchain: { readonly path: string; readonly name: string };
  /** Where a compile writes its dependency file, relative to `dir` (the `depfile` parameter). */
  readonly depfile?: string;
}

/** The request of `ninja:command`, checked. */
function edgeRun(req: AtomRequest, inputs: Readonly<Record<string, Resource>>): EdgeRun {
  onlyParams(req, ['command', 'dir', 'depfile', 'inputs', 'outputs']);
  const dir = workingDir(req);
  const text = requireParam(req, 'command', 'ninja:command?command="cc -o x x.c"&inputs=[/src/x.c]&outputs=[x](filesystem:import?path=./x.c, toolchain: …)');
  // `/src` itself: the whole source tree, for a compile (bound first: see treeBinds).
  // The build directory itself: a tree copied into it, writable (the headers a configure wrote there, for a compile).
  const at = paths(req, 'inputs', (p) => p.startsWith('/build/') || p.startsWith('/src/') || p === '/src' || p === dir, 'inputs=[/src/a.c, /build/b.o]');
  const outputs = paths(req, 'outputs', (p) => !p.startsWith('/') && p !== '.', 'outputs=[libx.so, sub/y.o]');
  if (outputs.length === 0) throw usage(req, 'needs at least one path in `outputs`');
  const depfile = stringParam(req, 'depfile');
  if (depfile !== undefined && (depfile.startsWith('/') || posix.normalize(depfile) !== depfile || depfile.split('/').includes('..'))) {
    throw usage(req, `takes a path relative to the build directory as \`depfile\`, not ${JSON.stringify(depfile)}`, 'depfile="sub/y.o.d"');
  }
  const toolchain = inputs['toolchain'];
  if (!toolchain || toolchain.kind !== 'object' || toolchain.type !== 'dir') throw usage(req, 'needs a directory tree as `toolchain`', 'e.g. toolchain: deb:closure?packages=[cmake, gcc, libc6-dev]');
  const placed: Bind[] = at.map((sandbox, i) => {
    const r = inputs[String(i)];
    if (!r || r.kind !== 'object') throw usage(req, `needs a file as positional input ${i} (for ${sandbox})`);
    return { host: r.path, sandbox, writable: false };
  });
  if (Object.keys(inputs).some((k) => k !== 'toolchain' && !(/^\d+$/.test(k) && Number(k) < at.length))) throw usage(req, 'takes one positional input per path in `inputs`, and a `toolchain`');
  return { text, dir, placed, outputs, toolchain: { path: toolchain.path, name: toolchain.name }, ...(depfile === undefined ? {} : { depfile }) };
}

/**
 * Run `text` (the edge's command, or a variant of it: compile-command.ts) in the edge's sandbox, in `work`; the
 * host directory that was its build directory.
 */
export async function runEdge(ctx: RealizeContext, edge: EdgeRun, text: string, work: string): Promise<string> {
  const { dir, placed, outputs } = edge;
  const build = join(work, 'build');
  mkdirSync(build);
  for (const p of placed) if (p.sandbox === dir) copyWritable(p.host, build);
  // Ninja makes each output's directory before running the command.
  for (const o of outputs) mkdirSync(dirname(join(build, o)), { recursive: true });
  const storeView = join(work, 'store-view');
  mkdirSync(storeView);
  const tail: string[] = [];
  // The whole source tree comes first, so that the build directory and the files bound after lie over it.
  const tree = placed.filter((p) => p.sandbox === '/src').flatMap((p) => treeBinds(p.host, '/src', dir));
  const exit = await runSandboxed({
    program: SH, argv: ['sh', '-c', text], storeDir: ctx.store.layout.storeDir, storeView, visible: [], root: edge.toolchain.path, cwd: dir,
    binds: [...tree, { host: build, sandbox: dir, writable: true }, ...placed.filter((p) => p.sandbox !== '/src' && p.sandbox !== dir)],
    env: { PATH: ROOT_PATH, HOME: '/homeless-shelter', TMPDIR: '/tmp', LC_ALL: 'C', SOURCE_DATE_EPOCH: '1' },
    signal: ctx.signal,
    onOutput: (line) => {
      ctx.log(line);
      tail.push(line);
      if (tail.length > 25) tail.shift();
    },
  });
  if (!('status' in exit) || exit.status !== 0) {
    throw new NomiaError('build/failed', `${text} ${failureText(exit)}${tail.length ? `; its last lines:\n  ${tail.join('\n  ')}` : ' and printed nothing'}`, { hint: 'the whole log: nomia log NAME' });
  }
  for (const o of outputs) {
    try {
      lstatSync(join(build, o));
    } catch {
      // ninja runs such an edge again on every build (CMake's add_custom_target, a test or install step); here
      // an edge is a function of its inputs that makes files, so its printed lines are what the user needs.
      throw new NomiaError('build/failed', `${text} succeeded but did not write its output ${o}${tail.length ? `; its last lines:\n  ${tail.join('\n  ')}` : ''}`, {
        hint: 'an edge that makes no file (a target that only runs a command, such as a test or install step) cannot be built as a name: run that command on the host (for tests, ctest in the build directory); the whole log: nomia log NAME',
      });
    }
  }
  return build;
}

/** The edge's outputs in the build directory `build` as one tree in the store, at their paths. */
export async function storeOutputs(ctx: RealizeContext, edge: EdgeRun, build: string, work: string): Promise<Resource> {
  const out = join(work, 'out');
  for (const o of edge.outputs) {
    mkdirSync(dirname(join(out, o)), { recursive: true });
    cpSync(join(build, o), join(out, o), { recursive: true, verbatimSymlinks: true });
  }
  const { object } = await addPath(ctx.store, out, { name: 'ninja-out' });
  return objectResource(ctx.store, object);
}

/** Realize one edge; a compile with the whole source tree and a `depfile` learns what it read (compile-command.ts). */
export async function command(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  const edge = edgeRun(req, inputs);
  if (edge.depfile !== undefined && edge.placed.some((p) => p.sandbox === '/src')) return { out: await compileCommand(ctx, edge) };
  return withWorkDir(ctx.store, async (work) => ({ out: await storeOutputs(ctx, edge, await runEdge(ctx, edge, edge.text, work), work) }));
}
