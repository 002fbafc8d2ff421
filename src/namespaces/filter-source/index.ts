/**
 * The `filter-source` namespace: source trees minus what should not count.
 *
 * - `by-gitignore[?name=…](tree)`: the directory `tree` minus what its
 *   `.gitignore` files exclude, with git's semantics (see gitignore.ts and
 *   filter.ts); reduces to `filesystem:by-content`. Only .gitignore files
 *   inside the tree count: the input is a store object, so it has no
 *   `.git/info/exclude` and no user configuration applies.
 *
 * Not contextual: the result is a function of the input's content, so a
 * realize with an input that came out the same is a lookup.
 */
import { basename, join } from 'node:path';
import {
  addPath, byContentName, checkObjectName, isValidObjectName, type Namespace, onlyParams, parseObjectPath, realPath, stringParam,
  unknownName, usage, withWorkDir,
} from '../../namespace/index.js';
import { filterTree } from './filter.js';

const NAMES = ['by-gitignore[?name=…](tree)'];

/** The result's object name: the input object's name, or the base name of a path inside one. */
function outputName(inputPath: string): string {
  const base = basename(inputPath);
  const parsed = parseObjectPath(base);
  if (parsed) return parsed.name;
  return isValidObjectName(base) ? base : 'source';
}

/** The built-in `filter-source` namespace (docs/namespaces/filter-source.md). */
export const filterSourceNamespace: Namespace = {
  id: 'filter-source',
  spelling: 'builtin:filter-source@1',
  describe(req) {
    if (req.nameId !== 'by-gitignore') throw unknownName(req, NAMES);
    onlyParams(req, ['name']);
    return { inputs: { '0': { type: 'dir' } }, outputs: { out: { type: 'dir' } }, defaultOutput: 'out', contextual: false };
  },
  async realize(req, inputs, ctx) {
    if (req.nameId !== 'by-gitignore') throw unknownName(req, NAMES);
    const tree = inputs['0'];
    if (!tree || tree.kind !== 'object' || tree.type !== 'dir') {
      throw usage(req, 'needs one input, a directory', 'e.g. filter-source:by-gitignore(filesystem:import?path=./src)');
    }
    const name = checkObjectName(stringParam(req, 'name') ?? outputName(tree.path));
    const object = await withWorkDir(ctx.store, async (work) => {
      const filtered = join(work, 'filtered');
      const summary = filterTree(tree.path, filtered);
      ctx.log(`kept ${summary.kept} files and symlinks, dropped ${summary.dropped} ignored paths`);
      return (await addPath(ctx.store, filtered, { name })).object;
    });
    return { out: { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(ctx.store, object) } };
  },
};
