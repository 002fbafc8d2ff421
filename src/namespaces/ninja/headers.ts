/**
 * `ninja:headers?path=DIR` (contextual): the headers under DIR, as a tree
 * by content — the include tree a compile of the ninja front-end takes for
 * a `-I DIR`. Only headers, so that a change to a `.c` file or a build
 * output in the same directory does not change the tree (and rerun every
 * compile's header discovery); a nested build directory (one holding
 * `CMakeCache.txt` or `build.ninja`), `CMakeFiles` and `.git` are skipped.
 *
 * `ninja:headers-of?path=REL(tree: TREE)` is the same for a directory of a
 * tree in the store (`ninja:build`'s source or configured build tree): not
 * contextual, and a `.c` file changed in the tree changes the tree but not
 * these headers, so the compiles downstream are reused (early cutoff).
 */
import { existsSync, linkSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { addPath, type AtomRequest, objectResource, onlyParams, type RealizeContext, type Resource, requireParam, usage, withWorkDir } from '../../namespace/index.js';

/** What counts as a header: the extensions C and C++ projects include. */
export const HEADER = /\.(h|hh|hpp|hxx|h\+\+|H|inc|inl|ipp|tcc|tpp|def)$/;

const SKIP = new Set(['.git', 'CMakeFiles']);

/** Copy (hard-link where possible) the headers of `from` into `to`; returns how many. */
export function copyHeaders(from: string, to: string, top = true): number {
  if (!top && (existsSync(join(from, 'CMakeCache.txt')) || existsSync(join(from, 'build.ninja')))) return 0;
  let n = 0;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) n += copyHeaders(join(from, e.name), join(to, e.name), false);
    } else if (e.isFile() && HEADER.test(e.name)) {
      mkdirSync(to, { recursive: true });
      try {
        linkSync(join(from, e.name), join(to, e.name));
      } catch {
        copyFileSync(join(from, e.name), join(to, e.name));
      }
      n++;
    }
  }
  return n;
}

/** `ninja:headers?path=DIR`: the headers of a directory of this machine. */
export async function headers(req: AtomRequest, _inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['path']);
  return headerTree(ctx, resolve(ctx.context.cwd, requireParam(req, 'path', 'ninja:headers?path=./include')));
}

/** `ninja:headers-of?path=REL(tree: TREE)`: the headers of a directory of a tree in the store (`.` for its top). */
export async function headersOf(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['path']);
  const example = 'ninja:headers-of?path=include(tree: deb:source?package=json-c)';
  const rel = requireParam(req, 'path', example);
  if (rel.startsWith('/') || posix.normalize(rel) !== rel || rel.split('/').includes('..')) throw usage(req, `takes a path inside the tree in \`path\`, not ${JSON.stringify(rel)}`, example);
  const tree = inputs['tree'];
  if (!tree || tree.kind !== 'object' || tree.type !== 'dir' || Object.keys(inputs).length !== 1) throw usage(req, 'takes one input, a directory tree as `tree`', example);
  return headerTree(ctx, join(tree.path, rel));
}

async function headerTree(ctx: RealizeContext, dir: string): Promise<Readonly<Record<string, Resource>>> {
  return withWorkDir(ctx.store, async (work) => {
    const tree = join(work, 'headers');
    mkdirSync(tree);
    const n = existsSync(dir) ? copyHeaders(dir, tree) : 0;
    ctx.log(`${n} header${n === 1 ? '' : 's'} under ${dir}`);
    const { object } = await addPath(ctx.store, tree, { name: 'headers' });
    return { out: objectResource(ctx.store, object) };
  });
}
