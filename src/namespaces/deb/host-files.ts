/**
 * `deb:host-files?paths=[…]` (contextual): where no package database
 * exists, the host's own tools as a tree copied from its files, by content
 * (docs/namespaces/deb.md, "Without a package database"). It is the
 * toolchain `nomia ninja` falls back to when dpkg's database is absent.
 *
 * Without dpkg nothing says which files make up the compiler, so the
 * driver is asked: the programs it runs (`-print-prog-name`: cc1, cc1plus,
 * collect2, lto-wrapper, as, ld), the directories it searches for system
 * headers (`-E -v`), and every file the linker opens for a link of a
 * trivial program with the C library and the common system libraries
 * (`-Wl,-t`, plain and `-shared`). With the shared libraries each program
 * loads (`ldd`), `/bin/sh` and the other paths named, they are copied into
 * one tree at their host paths, symlinks as symlinks. That tree is the
 * sandbox root, so the build still runs in the sandbox and can read no
 * host file that is not in the tree, and so in the spelling: a changed
 * compiler binary, header or C library changes the tree's hash. What it
 * does not hold fails loudly rather than being read unrecorded: a
 * `-lfoo` of any other system library, a plugin loaded by name, a program
 * a build command runs that is not among `paths`.
 *
 * The tree is kept while every file it was made from stats the same (the
 * answers of answers.ts, and `ctx.dependsOn` for the memo).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findObject, NomiaError, objectResource, tryParseContentHash, type RealizeContext, realPath, type Resource, statTree, type TreeState, withWorkDir } from '../../namespace/index.js';
import { keepAnswer, keptAnswer } from './answers.js';
import { aptState } from './apt.js';
import { commitTree } from './commit-tree.js';
import { linkChain } from './host.js';

const run = promisify(execFile);

/** A compiler driver by its name: `gcc`, `g++`, `cc`, `c++`, `x86_64-linux-gnu-gcc-12`. */
const DRIVER = /(^|-)(gcc|g\+\+|cc|c\+\+)(-\d+)?$/;
/** The programs a gcc driver runs. */
const PROGRAMS = ['cc1', 'cc1plus', 'collect2', 'lto-wrapper', 'lto1', 'as', 'ld'];
/** Files a gcc driver loads by name: its linker plugin (`-fuse-linker-plugin` is the default). */
const DRIVER_FILES = ['liblto_plugin.so'];
/** System libraries a trial link takes besides the C library, so that a build's `-lm`, `-lpthread`… find theirs. */
const SYSTEM_LIBS = ['-lm', '-lpthread', '-ldl', '-lrt'];

/** The warning given when this toolchain is used: it is not a package closure. */
export function hostFilesWarning(paths: readonly string[]): string {
  return `no Debian package database on this host: the toolchain is copied from its files (${paths.join(', ')}, the programs gcc runs, its system headers, `
    + 'the C library and the libraries they load), by content, not from packages; a system library or tool outside that set is missing in the sandbox';
}

/** The driver's answer to `args` (stdout, or stderr with `stderr`); empty when it fails. */
async function ask(ctx: RealizeContext, driver: string, args: readonly string[], options: { cwd?: string; stderr?: boolean } = {}): Promise<string> {
  try {
    const r = await run(driver, [...args], { env: { PATH: ctx.context.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' }, signal: ctx.signal, cwd: options.cwd ?? '/', maxBuffer: 1 << 26 });
    return options.stderr ? r.stderr : r.stdout;
  } catch {
    return '';
  }
}

/** Where a program named without a directory (`as`) is: on PATH, as the driver finds it. */
function onPath(ctx: RealizeContext, name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  for (const dir of (ctx.context.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    if (dir.startsWith('/') && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The header search directories gcc prints for `-E -v` of an empty `lang` unit. */
function searchDirs(text: string): string[] {
  const start = text.indexOf('#include "..." search starts here:');
  const end = text.indexOf('End of search list.');
  if (start < 0 || end < start) return [];
  return text.slice(start, end).split('\n').filter((l) => l.startsWith(' /')).map((l) => l.trim().replace(/ \(framework directory\)$/, ''));
}

/** The files a driver needs: its programs, its header directories, and what the linker opens. */
async function driverFiles(ctx: RealizeContext, driver: string, work: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of PROGRAMS) {
    const found = onPath(ctx, (await ask(ctx, driver, [`-print-prog-name=${p}`])).trim());
    if (found) out.push(found);
  }
  for (const f of DRIVER_FILES) {
    const found = (await ask(ctx, driver, [`-print-file-name=${f}`])).trim();
    if (found.startsWith('/') && existsSync(found)) out.push(found);
  }
  const cxx = /(g|c)\+\+/.test(basename(driver));
  for (const lang of cxx ? ['c', 'c++'] : ['c']) out.push(...searchDirs(await ask(ctx, driver, ['-E', '-v', '-x', lang, '/dev/null'], { stderr: true })));
  const unit = join(work, cxx ? 'probe.cc' : 'probe.c');
  writeFileSync(unit, 'int main(void) { return 0; }\n');
  for (const extra of [[], ['-shared', '-fPIC'], ['-no-pie'], ['-static']]) {
    const trace = await ask(ctx, driver, ['-Wl,-t', ...extra, unit, '-o', join(work, 'probe'), ...SYSTEM_LIBS], { cwd: work });
    for (const m of trace.matchAll(/\/[^\s()]+/g)) if (!m[0].startsWith(work) && existsSync(m[0])) out.push(resolve(m[0]));
  }
  return out;
}

/** Whether the file is an ELF object (a program or a shared library), whose loaded libraries count too. */
function isElf(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The shared libraries and loader `ldd` says `file` loads. */
async function loaded(ctx: RealizeContext, file: string): Promise<string[]> {
  const text = await ask(ctx, 'ldd', [file]);
  return [...text.matchAll(/(?:=> )?(\/\S+) \(0x/g)].map((m) => m[1]!).filter((p) => existsSync(p));
}

/** Every host path the tree holds (files, and directories whole): `paths`, `/bin/sh`, what the drivers need, what the programs load. */
export async function hostFileSet(ctx: RealizeContext, paths: readonly string[], work: string): Promise<string[]> {
  const set = new Set<string>(['/bin/sh', ...paths]);
  for (const p of paths) if (DRIVER.test(basename(p))) for (const f of await driverFiles(ctx, p, work)) set.add(f);
  // A merged-/usr twin that this host lacks is no file.
  const files = [...set].flatMap((p) => linkChain(p)).filter((p) => lstatSync(p, { throwIfNoEntry: false })?.isFile());
  for (const f of files) if (isElf(f)) for (const lib of await loaded(ctx, f)) set.add(lib);
  return [...set].sort();
}

/**
 * Copy the host's `path` into `tree` at the same path: each symlink on the
 * way made as the same symlink and followed, a directory copied whole (its
 * symlinks followed the same way), a file with its mode.
 */
export function copyHostPath(tree: string, path: string, seen = new Set<string>()): void {
  const parts = path.split('/').filter((c) => c !== '');
  let at = '/';
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i]!);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (!st) return;
    const inTree = join(tree, at);
    if (st.isSymbolicLink()) {
      const link = readlinkSync(at);
      if (!lstatSync(inTree, { throwIfNoEntry: false })) {
        mkdirSync(dirname(inTree), { recursive: true });
        symlinkSync(link, inTree);
      }
      copyHostPath(tree, join(resolve(dirname(at), link), ...parts.slice(i + 1)), seen);
      return;
    }
    if (i < parts.length - 1) continue;
    if (seen.has(at)) return;
    seen.add(at);
    if (st.isDirectory()) {
      mkdirSync(inTree, { recursive: true });
      for (const name of readdirSync(at).sort()) copyHostPath(tree, join(at, name), seen);
    } else if (st.isFile()) {
      mkdirSync(dirname(inTree), { recursive: true });
      copyFileSync(at, inTree);
      chmodSync(inTree, st.mode & 0o755);
    }
  }
}

/** A line per path's stat state (with the digest of a directory's listing), for the key of a kept tree. */
function stateLines(states: readonly (TreeState | undefined)[], paths: readonly string[]): string[] {
  return states.map((s, i) => (s ? `${s.path} ${s.root.dev} ${s.root.ino} ${s.root.mode} ${s.root.size} ${s.root.mtimeNs} ${s.root.ctimeNs} ${s.listing?.toString('hex') ?? ''}` : `${paths[i]} absent`));
}

/** Bumped when what `hostFileSet` asks changes, so that a kept set from before is not used. */
const SET_VERSION = '2';

const digest = (lines: readonly string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

/** Realize `deb:host-files?paths=[…]`: the tree of the host files the tools need (see above). */
export async function hostFiles(ctx: RealizeContext, paths: readonly string[]): Promise<Resource> {
  for (const p of paths) {
    if (!existsSync(p)) throw new NomiaError('deb/not-installed', `${p} does not exist on this host`, { hint: 'name the tools the build runs, by absolute path: deb:host-files?paths=[/usr/bin/gcc]' });
  }
  ctx.events.emit({ kind: 'warning', type: 'unpackaged-toolchain', paths: [...paths], message: hostFilesWarning(paths) });
  const root = aptState(ctx.store).root;
  // Which files: the drivers' answers, kept while the named paths and PATH are as before.
  const named = [...new Set(paths.flatMap((p) => linkChain(p)))];
  const namedStates = named.map((p) => statTree(ctx.store, p));
  for (const s of namedStates) if (s) ctx.dependsOn?.(s);
  const setKey = digest(['deb:host-files set', SET_VERSION, ctx.context.env['PATH'] ?? '', ...stateLines(namedStates, named)]);
  const keptSet = keptAnswer(root, setKey);
  return withWorkDir(ctx.store, async (work, tree) => {
    const set = keptSet === undefined ? await hostFileSet(ctx, paths, work) : (JSON.parse(keptSet) as string[]);
    if (keptSet === undefined) keepAnswer(root, setKey, JSON.stringify(set));
    // The tree: kept while each of its files and directories stats the same (taken before they are read).
    const states = set.map((p) => statTree(ctx.store, p));
    for (const s of states) if (s) ctx.dependsOn?.(s);
    const treeKey = digest(['deb:host-files tree', ...stateLines(states, set)]);
    const kept = keptAnswer(root, treeKey);
    const known = kept === undefined ? undefined : findObject(ctx.store, tryParseContentHash(kept) ?? ('' as never), 'host-toolchain');
    if (known && existsSync(realPath(ctx.store, known))) {
      ctx.log('the host\'s files are as before: the tree as before (kept answer)');
      return objectResource(ctx.store, known);
    }
    mkdirSync(tree);
    const seen = new Set<string>();
    for (const p of set) copyHostPath(tree, p, seen);
    ctx.log(`copied ${seen.size} files and directories of this host: ${set.filter((p) => !p.includes('.so')).join(' ')}`);
    const r = await commitTree(ctx, work, tree, 'host-toolchain');
    // A file changed within the clock's granularity of being read may change again unseen: then nothing is kept.
    const racy = states.some((s) => s && s.newestNs >= s.stampNs - 1_000_000_000n);
    const hash = r.kind === 'object' ? /sha256=([0-9a-f]{64})/.exec(r.name)?.[1] : undefined;
    if (!racy && hash) keepAnswer(root, treeKey, hash);
    return r;
  });
}
