/**
 * Where a translation (translate.ts) takes the files that no edge makes:
 * the host's directories (`nomia ninja`), or trees in the store
 * (`ninja:build`, store-files.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { str } from './print.js';

/**
 * Where the files that no edge makes come from, and how the plan names
 * them. Paths are absolute, as the layout's directories are.
 */
export interface Files {
  /** Declarations the plan starts with (after the toolchain's), e.g. `src = (…)`, each `var = name`. */
  readonly prelude: readonly string[];
  /** Whether the file or directory exists. */
  exists(path: string): boolean;
  /**
   * An existing file no edge makes, as an edge's input: a reference such as
   * `$src/a.c`, or `declare(name)`, which binds the name to a variable of the
   * plan (once per file) and gives `$var`.
   */
  file(path: string, declare: (name: string) => string): string;
  /** The name of the include tree for `-I dir`: its headers (headers.ts). */
  headers(dir: string): string;
  /** The whole directory `dir` as an input, as `file` gives a file (a compile run as a command reads its source tree). */
  tree(dir: string, declare: (name: string) => string): string;
  /** The text of a file, or undefined when it cannot be read (not there yet: an edge makes it). */
  read(path: string): string | undefined;
  /** Whether `path` is a regular file (following symlinks). */
  isFile(path: string): boolean;
}

/** The host's files, as they are now: imports and `ninja:headers` of the directories (contextual). */
export const hostFiles: Files = {
  prelude: [],
  exists: (path) => existsSync(path),
  file: (path, declare) => declare(`filesystem:import?path=${str(path)}`),
  headers: (dir) => `ninja:headers?path=${str(dir)}`,
  tree: (dir, declare) => declare(`ninja:files?path=${str(dir)}`),
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  isFile: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
};

/**
 * `files` with `isFile` asked of the file system once per path: a translation asks it for every
 * `#include` of every compile in each directory of its search chain (bench/cc's generated project:
 * `common.h` 203 times), and the answer does not change while one plan is made.
 */
export function onceFiles(files: Files): Files {
  const known = new Map<string, boolean>();
  return {
    ...files,
    isFile: (path) => {
      let is = known.get(path);
      if (is === undefined) {
        is = files.isFile(path);
        known.set(path, is);
      }
      return is;
    },
  };
}
