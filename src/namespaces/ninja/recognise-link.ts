/**
 * A link edge, read from its words, for `cc:link`: CMake's
 * `[: &&] c++ FLAGS [-shared -Wl,-soname,X] objects… -o OUT libraries… [&& :]`.
 *
 * Every file of the project the command names becomes a positional input
 * of the link, written `{N}` in its `args` where the command had it: the
 * objects and libraries, and files named inside a flag, as json-c's
 * `-Wl,--version-script,/checkout/json-c.sym`. So the link is spelled by
 * those files' contents, its flags and the toolchain, wherever the
 * checkout lies. Two kinds of word stay as written:
 *
 * - a run path (`-Wl,-rpath,…`): where the program looks for its
 *   libraries at run time on this machine (CMake's build-tree run path is
 *   what lets ctest run the tests in place), and a link-time search
 *   directory of the toolchain (`-Wl,-rpath-link,/usr/…`); one of the
 *   project holds libraries the linker reads undeclared, so such a link is
 *   a command (translate.ts binds them);
 * - a path under `/usr`, `/lib…`, `/bin`, `/sbin` or `/etc` outside the
 *   source and build directories: a file of the toolchain, which is `/` in
 *   the sandbox (`/usr/lib/…/libz.so`).
 *
 * Any other absolute path of a file on this machine is an input by content
 * too (CMake's check that the linker takes a version script names one in
 * the parent project's build directory, outside the check's own).
 *
 * Anything else that places files (`-L` or `-B` of a relative directory,
 * a project directory in a flag, a shared library of the build that has no
 * soname, whose path the linker would record) leaves the edge to
 * `ninja:command`, which runs it as written.
 */
import { posix } from 'node:path';
import type { Edge } from './manifest.js';
import type { Recognised } from './recognise.js';

/** A C or C++ compiler driver's name (`cc`, `gcc`, `c++`, `g++-12`). */
export const COMPILER = /^(cc|gcc|c\+\+|g\+\+)(-\d+)?$/;
/** A C++ compiler driver's name. */
export const CXX = /^(c\+\+|g\+\+)(-\d+)?$/;

/** What the link recogniser may ask about the project's files. */
export interface LinkFiles {
  /** Whether `path` (relative to the build directory, or absolute) is a file an edge makes or that exists. */
  readonly isFile: (path: string) => boolean;
  /** Whether `path` is a shared library of the build linked without `-Wl,-soname` (or not made by the build at all). */
  readonly withoutSoname: (path: string) => boolean;
}

/** Where a Debian package installs: a path there, outside the project, is the toolchain's (it is `/` in the sandbox). */
const TOOLCHAIN_DIRS = /^\/(usr|lib|lib32|lib64|libx32|bin|sbin|etc)(\/|$)/;

/** Whether absolute `path` names the toolchain's file rather than one of this machine's (`roots` are the project's). */
export function isToolchainPath(path: string, roots: readonly string[]): boolean {
  return TOOLCHAIN_DIRS.test(path) && !roots.some((r) => path === r || path.startsWith(`${r}/`));
}

/** No file is known: only declared inputs become link inputs. */
export const NO_FILES: LinkFiles = { isFile: () => false, withoutSoname: () => true };

const SHARED_LIBRARY = /\.so(\.\d+)*$/;
const RUN_PATH = /^-Wl,-rpath(-link)?[,=]/;
/** Words that are not a link's: a compile, preprocessing, or dependency output. */
const NOT_LINK = /^(-c|-S|-E|-M)/;
/** Flags whose directory must exist where the command runs: relative ones would not in the sandbox. */
const SEARCH_DIR = /^(-L|-B|--sysroot)/;

const norm = (p: string) => posix.normalize(p).replace(/^\.\//, '');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The link in `commands`, or undefined. */
export function link(edge: Edge, commands: readonly (readonly string[])[], roots: readonly string[], files: LinkFiles): Recognised | undefined {
  const steps = commands.filter((c) => !(c.length === 1 && c[0] === ':'));
  if (steps.length !== 1 || edge.outputs.length !== 1 || edge.implicitOutputs.length !== 0) return undefined;
  const words = steps[0]!;
  const tool = posix.basename(words[0]!);
  if (!COMPILER.test(tool)) return undefined;
  const declared = new Set([...edge.inputs, ...edge.implicitInputs].map(norm));
  // Paths inside a flag: the project's directories anywhere, any other absolute path after `,` or `=`.
  const inFlag = new RegExp(`(?:${roots.map(escape).join('|')})(?=/|$)[^\\s'",:;=]*|(?<=[,=])/[^\\s'",:;=]*`, 'g');
  const underRoot = (p: string) => roots.some((r) => p === r || p.startsWith(`${r}/`));
  const paths: string[] = [];
  const input = (p: string): string => {
    let i = paths.indexOf(p);
    if (i < 0) i = paths.push(p) - 1;
    return `{${i}}`;
  };
  const args: string[] = [];
  let sawOut = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-o') {
      if (norm(words[++i] ?? '') !== norm(edge.outputs[0]!)) return undefined;
      sawOut = true;
    } else if (NOT_LINK.test(w) || /\{\d+\}/.test(w)) {
      return undefined;
    } else if (w.startsWith('-')) {
      if (RUN_PATH.test(w)) {
        // The linker reads the libraries its libraries need in a search directory of the project, undeclared: a
        // command, which maps the directory and binds them there (translate.ts).
        if (/^-Wl,-rpath-link[,=]/.test(w) && roots.some((r) => w.includes(r))) return undefined;
        args.push(w);
        continue;
      }
      if (SEARCH_DIR.test(w) && !/^(-L|-B|--sysroot=?)\//.test(w)) return undefined;
      let ok = true;
      args.push(w.replace(inFlag, (p) => {
        if (isToolchainPath(p, roots)) return p;
        if (files.isFile(p)) return input(p);
        if (underRoot(p)) ok = false;
        return p;
      }));
      if (!ok) return undefined;
    } else if (declared.has(norm(w)) || !w.startsWith('/') || underRoot(w) || (!isToolchainPath(w, roots) && files.isFile(w))) {
      // A file of the project: declared, or named without being declared (it must exist or be made).
      if (!declared.has(norm(w)) && !files.isFile(w)) return undefined;
      if (SHARED_LIBRARY.test(w) && files.withoutSoname(w)) return undefined;
      args.push(input(norm(w)));
    } else {
      args.push(w);
    }
  }
  if (!sawOut || paths.length === 0) return undefined;
  return { kind: 'link', driver: CXX.test(tool) ? 'g++' : 'gcc', args, files: paths };
}
