/**
 * The files of a project whose source and configured build directory are
 * trees in the store, as `ninja:build` sees them: the source tree at
 * `/src`, the build tree at `/build`, and the toolchain at `/` (the paths
 * `cmake:configure` configured with). A file is a projection of its tree
 * (`$src/arraylist.c`), so a compile is spelled by that file's content; a
 * `-I` directory is `ninja:headers-of` its tree, so a changed `.c` file
 * leaves every include tree, and the compiles reading it, as they were.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { printSegment, printValue, type Resource } from '../../namespace/index.js';
import type { Files } from './files.js';
import type { Layout } from './sandbox-paths.js';

type Tree = Extract<Resource, { kind: 'object' }>;

/** The in-sandbox layout `cmake:configure` writes its build directory for. */
export const SANDBOX_LAYOUT: Layout = { srcDir: '/src', buildDir: '/build' };

/** The plan's variables for the trees; the toolchain's is translate's own `tc`. */
const VARS = [['/src', 'src'], ['/build', 'build']] as const;

/** Files read from `src`, `build` and `toolchain`, named by projection. */
export function storeFiles(trees: { readonly src: Tree; readonly build: Tree; readonly toolchain: Tree }): Files {
  /** The tree variable holding `path`, and the path inside it. */
  const locate = (path: string): { readonly v: string; readonly tree: Tree; readonly rel: string } => {
    for (const [dir, v] of VARS) {
      if (path === dir || path.startsWith(`${dir}/`)) return { v, tree: trees[v], rel: path.slice(dir.length + 1) };
    }
    return { v: 'tc', tree: trees.toolchain, rel: path.replace(/^\/+/, '') };
  };
  const projection = (rel: string) => rel.split('/').filter((s) => s !== '').map((s) => `/${printSegment(s)}`).join('');
  return {
    prelude: VARS.map(([, v]) => `${v} = (${trees[v].name})`),
    exists: (path) => {
      const { tree, rel } = locate(path);
      return existsSync(join(tree.path, rel));
    },
    file: (path) => {
      const { v, rel } = locate(path);
      return `$${v}${projection(rel)}`;
    },
    headers: (dir) => {
      const { v, rel } = locate(dir);
      return `ninja:headers-of?path=${printValue({ kind: 'String', value: rel === '' ? '.' : rel })}(tree: $${v})`;
    },
    tree: (dir) => {
      const { v, rel } = locate(dir);
      return `$${v}${projection(rel)}`;
    },
    read: (path) => {
      const { tree, rel } = locate(path);
      try {
        return readFileSync(join(tree.path, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
    isFile: (path) => {
      const { tree, rel } = locate(path);
      try {
        return statSync(join(tree.path, rel)).isFile();
      } catch {
        return false;
      }
    },
  };
}
