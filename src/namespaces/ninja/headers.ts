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
 */
import { existsSync, linkSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { addPath, type AtomRequest, objectResource, onlyParams, type RealizeContext, type Resource, requireParam, withWorkDir } from '../../namespace/index.js';

/** What counts as a header: the extensions C and C++ projects include. */
export const HEADER = /\.(h|hh|hpp|hxx|h\+\+|H|inc|inl|ipp|tcc|tpp|def)$/;

const SKIP = new Set(['.git', 'CMakeFiles']);

/** Copy (hard-link where possible) the headers (or, with `all`, every file) of `from` into `to`; returns how many. */
export function copyHeaders(from: string, to: string, top = true, all = false): number {
  if (!top && (existsSync(join(from, 'CMakeCache.txt')) || existsSync(join(from, 'build.ninja')))) return 0;
  let n = 0;
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) n += copyHeaders(join(from, e.name), join(to, e.name), false, all);
    } else if (e.isFile() && (all || HEADER.test(e.name))) {
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

export async function headers(req: AtomRequest, _inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['path']);
  const all = req.nameId === 'files';
  const dir = resolve(ctx.context.cwd, requireParam(req, 'path', `ninja:${req.nameId}?path=./include`));
  return withWorkDir(ctx.store, async (work) => {
    const tree = join(work, 'headers');
    mkdirSync(tree);
    const n = existsSync(dir) ? copyHeaders(dir, tree, true, all) : 0;
    ctx.log(`${n} ${all ? 'file' : 'header'}${n === 1 ? '' : 's'} under ${dir}`);
    const { object } = await addPath(ctx.store, tree, { name: 'headers' });
    return { out: objectResource(ctx.store, object) };
  });
}
