/**
 * `ninja:headers?path=DIR` (contextual): the headers under DIR, as a tree
 * by content — the include tree a compile of the ninja front-end takes for
 * a `-I DIR`. Only headers, so that a change to a `.c` file or a build
 * output in the same directory does not change the tree (and rerun every
 * compile's header discovery); a nested build directory (one holding
 * `CMakeCache.txt` or `build.ninja`), `CMakeFiles` and `.git` are skipped.
 *
 * `ninja:files?path=DIR` (contextual) is the same walk keeping every file:
 * the source tree a compile that `cc:compile` cannot lay out runs with.
 *
 * `ninja:headers-of?path=REL(tree: TREE)` is the same for a directory of a
 * tree in the store (`ninja:build`'s source or configured build tree): not
 * contextual, and a `.c` file changed in the tree changes the tree but not
 * these headers, so the compiles downstream are reused (early cutoff).
 *
 * `ninja:headers` declares exactly that part of DIR as its context (`SELECTION`), so the
 * memo of `nomia ninja` answers while no header under DIR changed, however
 * many build outputs are written beside them; and the stat cache answers
 * with the tree made before while that part stats the same (a build whose
 * `.c` changed reads no header). `ninja:files` does the same for all its files.
 */
import { existsSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import {
  addPath, type AtomRequest, findObject, lookupStat, objectResource, onlyParams, type RealizeContext, realPath, recordStat, type Resource, requireParam,
  refuseHoldingStore, type Selection, statTree, type TreeState, usage, withWorkDir,
} from '../../namespace/index.js';

/** What counts as a header: the extensions C and C++ projects include. */
export const HEADER = /\.(h|hh|hpp|hxx|h\+\+|H|inc|inl|ipp|tcc|tpp|def)$/;

/** The part of a directory the tree takes, as its context is declared: what `copyHeaders` copies. */
export const SELECTION: Selection = { files: HEADER.source, skip: ['.git', 'CMakeFiles'], stopAt: ['CMakeCache.txt', 'build.ninja'] };

/** `ninja:files`' part of a directory: every file, with the same skips. */
const FILES: Selection = { ...SELECTION, files: '' };

const SKIP = new Set(SELECTION.skip);

/**
 * Copy the headers (with `all`, every file) of `from` into `to`; returns how many. Copied, not
 * hard-linked: a link changes the file's ctime, which would make it look changed to the stat checks of
 * the next run.
 */
export function copyHeaders(from: string, to: string, top = true, all = false): number {
  if (!top && SELECTION.stopAt.some((m) => existsSync(join(from, m)))) return 0;
  let n = 0;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) n += copyHeaders(join(from, e.name), join(to, e.name), false, all);
    } else if (e.isFile() && (all || HEADER.test(e.name))) {
      mkdirSync(to, { recursive: true });
      copyFileSync(join(from, e.name), join(to, e.name));
      n++;
    }
  }
  return n;
}

/**
 * The context of a missing DIR (CMake names include directories that may not exist): the nearest
 * directory above it that exists, by the names it holds, so that creating DIR (or the directory on the way
 * to it) shows.
 */
function absence(ctx: RealizeContext, dir: string): TreeState | undefined {
  let missing = dir;
  while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
  const name = basename(missing).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return statTree(ctx.store, dirname(missing), { files: `^${name}$`, skip: [], stopAt: [], shallow: true });
}

/** `ninja:headers?path=DIR` (and `ninja:files?path=DIR`): the headers (every file) of a directory of this machine. */
export async function headers(req: AtomRequest, _inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['path']);
  // No command: the job slot goes to the next node at once (a tree of headers is copied, not built).
  ctx.commandsDone?.();
  const all = req.nameId === 'files';
  const dir = resolve(ctx.context.cwd, requireParam(req, 'path', `ninja:${req.nameId}?path=./include`));
  // A project that holds the store (NOMIA_HOME inside it) would copy the store into itself.
  if (existsSync(dir)) refuseHoldingStore(ctx.store, dir, `take the ${all ? 'files' : 'headers'} of`);
  // Taken before the files are read (the racy rule, store/stat-cache.ts); none when DIR is missing.
  const state = existsSync(dir) ? statTree(ctx.store, dir, all ? FILES : SELECTION) : absence(ctx, dir);
  if (state) ctx.dependsOn?.(state);
  // The headers stat as when their tree was made (the stat cache, as for an import): that tree, nothing read.
  const known = state && lookupStat(ctx.store, state);
  const stored = known && findObject(ctx.store, known.hash, 'headers');
  if (stored && existsSync(realPath(ctx.store, stored))) {
    ctx.log(`unchanged: the ${all ? 'files' : 'headers'} under ${dir} are already in the store`);
    return { out: objectResource(ctx.store, stored) };
  }
  return headerTree(ctx, dir, state, all);
}

/** `ninja:headers-of?path=REL(tree: TREE)`: the headers of a directory of a tree in the store (`.` for its top). */
export async function headersOf(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['path']);
  ctx.commandsDone?.();
  const example = 'ninja:headers-of?path=include(tree: deb:source?package=json-c)';
  const rel = requireParam(req, 'path', example);
  if (rel.startsWith('/') || posix.normalize(rel) !== rel || rel.split('/').includes('..')) throw usage(req, `takes a path inside the tree in \`path\`, not ${JSON.stringify(rel)}`, example);
  const tree = inputs['tree'];
  if (!tree || tree.kind !== 'object' || tree.type !== 'dir' || Object.keys(inputs).length !== 1) throw usage(req, 'takes one input, a directory tree as `tree`', example);
  return headerTree(ctx, join(tree.path, rel));
}

/** The tree of the headers (with `all`, every file) under `dir`, added to the store; recorded in the stat cache under `state` when given. */
async function headerTree(ctx: RealizeContext, dir: string, state?: TreeState, all = false): Promise<Readonly<Record<string, Resource>>> {
  return withWorkDir(ctx.store, async (work) => {
    const tree = join(work, 'headers');
    mkdirSync(tree);
    const n = existsSync(dir) ? copyHeaders(dir, tree, true, all) : 0;
    ctx.log(`${n} ${all ? 'file' : 'header'}${n === 1 ? '' : 's'} under ${dir}`);
    const { object } = await addPath(ctx.store, tree, { name: 'headers' });
    if (state) recordStat(ctx.store, state, { hash: object.hash, narSize: object.narSize });
    return { out: objectResource(ctx.store, object) };
  });
}
