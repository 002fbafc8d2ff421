/**
 * The parameters and inputs of `cc` names, checked once before any work:
 * `args=[…]` (compiler or linker flags), `name=…` (an archive's or
 * executable's object name), `headers=[…]` (a refined compile's header
 * list), and the include trees `include`, `include0`, `include1`, … in order.
 */
import { type AtomRequest, checkObjectName, onlyParams, type Resource, stringParam, usage, type Value } from '../../namespace/index.js';
import type { TreeHeader } from './depfile.js';

function list(req: AtomRequest, key: string): readonly Value[] {
  const p = req.params.find((x) => x.key === key);
  if (!p) return [];
  if (p.value.kind !== 'List') throw usage(req, `takes a list in \`${key}\`, e.g. ${key}=[-O2, -DNDEBUG]`);
  return p.value.items;
}

function texts(req: AtomRequest, key: string): string[] {
  return list(req, key).map((v) => {
    if (v.kind !== 'String') throw usage(req, `takes plain values in \`${key}\``);
    return v.value;
  });
}

/**
 * Flags the namespace sets itself (where the input, the output and the
 * dependency file go) or that would name a path outside the fixed layout
 * (`-I`: give an include tree instead).
 */
const OWN_FLAG = /^(-o|-c|-S|-E|-M[DGFTQP]?|-MM[D]?|-I|-iquote|-isystem|-idirafter|-include|--sysroot|-B)/;

/**
 * An include directory of the toolchain's, written `-I/usr/src/x` or
 * `-isystem/usr/src/x` (one word, absolute). In the sandbox the toolchain
 * is `/`, so such a path names a directory of the toolchain tree, which is
 * in the spelling: it places nothing of the user's machine.
 */
const TOOLCHAIN_INCLUDE = /^-(I|isystem)\/(?!include\/|include$|src\/|src$|out\/|out$|obj\/|obj$|tmp\/|tmp$)/;

/** Compiler flags of a compile: `args=[-O2, -DX=1]`. */
export function compileArgs(req: AtomRequest): string[] {
  const args = texts(req, 'args');
  for (const a of args) {
    if (OWN_FLAG.test(a) && !(TOOLCHAIN_INCLUDE.test(a) && !a.split('/').includes('..'))) {
      throw usage(req, `sets ${JSON.stringify(a)} itself or cannot take it in \`args\``, 'pass include directories as include trees: cc:compile?args=[…](src: …, include: TREE, toolchain: …)');
    }
  }
  return args;
}

/** Linker or archiver flags: `args=[-lm]`; `-o` is the namespace's. */
export function linkArgs(req: AtomRequest): string[] {
  const args = texts(req, 'args');
  for (const a of args) if (a === '-o' || a.startsWith('-o')) throw usage(req, 'names its output itself (`name=…`), not with -o in `args`');
  return args;
}

/** `{N}` in a link's `args`: the path of positional input N in the sandbox. */
export const PLACEHOLDER = /\{(\d+)\}/g;

/**
 * The link's command-line words after `-o OUT`: `args` with each `{N}`
 * replaced by input N's path. Without any placeholder the inputs come
 * first, in order, then `args`; with placeholders every input must be
 * named at least once (an input that is not on the command line would be
 * in the spelling without being used).
 */
export function linkWords(req: AtomRequest, args: readonly string[], at: readonly string[]): string[] {
  const used = new Set<number>();
  for (const a of args) for (const m of a.matchAll(PLACEHOLDER)) used.add(Number(m[1]));
  if (used.size === 0) return [...at, ...args];
  for (const n of used) if (n >= at.length) throw usage(req, `names the input {${n}} in \`args\`, but has ${at.length} input${at.length === 1 ? '' : 's'}`);
  const unused = at.findIndex((_, i) => !used.has(i));
  if (unused >= 0) throw usage(req, `places its inputs with {N} in \`args\`, but not input ${unused}`, 'name every input: args=[-shared, "{0}", "-Wl,--version-script,{1}"]');
  return args.map((a) => a.replace(PLACEHOLDER, (_, n: string) => at[Number(n)]!));
}

/** The compiler driver a link runs: `driver=g++` links C++ (libstdc++), default `gcc`. */
export function linkDriver(req: AtomRequest): '/usr/bin/gcc' | '/usr/bin/g++' {
  const d = stringParam(req, 'driver') ?? 'gcc';
  if (d !== 'gcc' && d !== 'g++') throw usage(req, `takes \`driver=gcc\` or \`driver=g++\`, not ${JSON.stringify(d)}`);
  return d === 'g++' ? '/usr/bin/g++' : '/usr/bin/gcc';
}

/** `members=[a.c.o, …]`: the names an archive gives its members, in input order. */
export function memberNames(req: AtomRequest): string[] {
  return texts(req, 'members');
}

/** The object name of an archive or executable: `name=…`, or `fallback`. */
export function outputName(req: AtomRequest, fallback: string): string {
  return checkObjectName(stringParam(req, 'name') ?? fallback);
}

/**
 * `headers=["0/zlib.h", "1/sys/x.h"]` of a refined compile, in order: `h<i>` feeds the i-th; with `key`
 * `absent`, the probed paths that hold no file (probes.ts).
 */
export function headerList(req: AtomRequest, key: 'headers' | 'absent' = 'headers'): TreeHeader[] {
  return texts(req, key).map((h) => {
    const m = /^(\d+)\/(.+)$/.exec(h);
    if (!m || m[2]!.split('/').some((c) => c === '' || c === '.' || c === '..')) {
      throw usage(req, `has the path ${JSON.stringify(h)} in \`${key}\`; they are "<tree>/<relative path>"`, `e.g. ${key}=["0/zlib.h"]`);
    }
    return { tree: Number(m[1]), path: m[2]! };
  });
}

/**
 * `system=K`: the last K of `trees` include trees are system directories (`-isystem`, searched after the
 * `-I` ones, their warnings silenced), as a project's `-isystem DIR` asks. Default 0.
 */
export function systemCount(req: AtomRequest, trees: number): number {
  const text = stringParam(req, 'system') ?? '0';
  const k = Number(text);
  if (!/^\d+$/.test(text) || k > trees) throw usage(req, `takes \`system=K\`, how many of its ${trees} include trees (the last ones) are system directories, not ${JSON.stringify(text)}`, 'e.g. cc:compile?system=1(src: …, include0: TREE, include1: SYSTEM-TREE, toolchain: …)');
  return k;
}

/** gcc's flags for `n` include trees at `/include/<i>`, the last `system` of them as `-isystem`. */
export function treeFlags(n: number, system: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i >= n - system ? '-isystem' : '-I'}/include/${i}`);
}

/** A directory tree input. */
export type Tree = Extract<Resource, { kind: 'object' }>;

/** The include trees among the inputs, in order: `include` (alone) or `include0`, `include1`, …. */
export function includeTrees(req: AtomRequest, inputs: Readonly<Record<string, Resource>>): Tree[] {
  const single = inputs['include'];
  const numbered = Object.keys(inputs).filter((k) => /^include\d+$/.test(k)).sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
  if (single && numbered.length) throw usage(req, 'takes either one `include:` tree or `include0:`, `include1:`, …, not both');
  const trees = single ? [single] : numbered.map((k) => inputs[k]!);
  numbered.forEach((k, i) => {
    if (k !== `include${i}`) throw usage(req, `numbers its include trees from 0 without gaps, but has \`${k}\``);
  });
  return trees.map((t) => {
    if (t.kind !== 'object' || t.type !== 'dir') throw usage(req, `takes directory trees as include inputs, but ${t.name} is not one`);
    return t;
  });
}

export { onlyParams };
