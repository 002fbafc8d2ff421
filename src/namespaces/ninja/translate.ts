/**
 * A ninja manifest's edges as one Nomia name (docs/namespaces/ninja.md):
 * a `compose` with one declaration per edge the targets need, so a single
 * realize builds them all, in parallel, with one `done` event.
 *
 * - a compile (recognise.ts) → `cc:compile?args=[…](src: …, include0: …,
 *   toolchain: $tc)`, each `-I` directory an include tree of its headers
 *   (`ninja:headers?path=…`), the source's own directory first;
 * - an archive → `cc:archive?name=…(objects…, toolchain: $tc)`;
 * - anything else → `ninja:command?command=…&inputs=[…]&outputs=[…](inputs…,
 *   toolchain: $tc)`, the source directory at `/src`, the build directory
 *   at `/build`, or inside `/src` where it lies inside the source directory;
 * - a phony edge is an alias: it adds no node, its inputs are built;
 * - an edge that makes no file (effects.ts) adds no node either: it is in
 *   `Plan.effects`, and what it reads is built; an output that is no file
 *   (`add_custom_target`'s SYMBOLIC one, beside its `BYPRODUCTS`) is no
 *   output of its node;
 * - a `generator` edge (CMake's re-run) is left out: configuring is the
 *   caller's.
 *
 * Files no edge makes, and the header trees of `-I` directories, come from
 * a `Files`: the host's directories by default (`nomia ninja`), or trees in
 * the store (`ninja:build`, store-files.ts), so one translation serves both.
 *
 * Every declaration is bound, so the compose's results are all of them, in
 * order: `Plan.decls[i]` says what the i-th result is.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { NomiaError, printSegment, printValue } from '../../namespace/index.js';
import type { Edge, Manifest } from './manifest.js';
import { HEADER } from './headers.js';
import { withoutLaunchers } from './launchers.js';
import { isEffect, symbolicOutputs } from './effects.js';
import { isCompileEdge, recognise, type Recognised } from './recognise.js';
import { isToolchainPath } from './recognise-link.js';

/** Where the project lies on this machine. */
export interface Layout {
  /** The source directory, absolute (CMake's `-S`). */
  readonly srcDir: string;
  /** The build directory, absolute (where build.ninja is). */
  readonly buildDir: string;
}

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

/** A result of the plan's name, and where its files go in the build directory. */
export type Decl =
  | { readonly kind: 'support' }
  /** A single-file result (`cc:*`), to be written at `path` (relative to the build directory). */
  | { readonly kind: 'file'; readonly path: string; readonly edge: Edge }
  /** A tree result (`ninja:command`) holding `paths` at the same relative paths. */
  | { readonly kind: 'tree'; readonly paths: readonly string[]; readonly edge: Edge };

export interface Plan {
  /** The `compose` name text. */
  readonly text: string;
  readonly decls: readonly Decl[];
  /** How many edges became `cc:compile`, `cc:archive`, `cc:link` and `ninja:command` names. */
  readonly counts: { readonly compile: number; readonly archive: number; readonly link: number; readonly command: number };
  /** The files the targets stand for (phony targets expanded), relative to the build directory. */
  readonly targets: readonly string[];
  /**
   * The edges the targets need that make no file (effects.ts), in dependency order: no name, to be run
   * as written, after the plan's names (docs/namespaces/ninja.md, "Edges that make no file").
   */
  readonly effects: readonly Edge[];
}

const str = (s: string) => printValue({ kind: 'String', value: s });
const list = (items: readonly string[]) => `[${items.map(str).join(', ')}]`;

/** `p` relative to the build directory when it lies in it, normalized. */
function key(layout: Layout, p: string): string {
  const n = posix.normalize(p);
  if (n.startsWith(`${layout.buildDir}/`)) return n.slice(layout.buildDir.length + 1);
  return n.replace(/^\.\//, '');
}

/** A boundary-respecting pattern for a directory at the start of a path. */
const dirPattern = (dir: string) => new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[\\s:;'",=])`, 'g');

/**
 * Where the build directory is in the sandbox: `/src/<its path in the
 * source directory>` when it lies inside the source directory (as Meson's
 * usually does), so that `../src/a.c` from it names in the sandbox what it
 * names on the host; else `/build`.
 */
export function sandboxBuildDir(layout: Layout): string {
  const rel = posix.relative(layout.srcDir, layout.buildDir);
  return rel !== '' && !rel.startsWith('..') && !posix.isAbsolute(rel) ? `/src/${rel}` : '/build';
}

/**
 * A run path written into the output (`-Wl,-rpath,…`, `-Wl,-rpath=…`, `-Wl,-R…`): where the program will look at
 * run time, on this machine, so it stays as ninja writes it (ninja's file holds it). Not `-Wl,-rpath-link,…`, which
 * only tells the linker where to look while it links, and leaves nothing in the output.
 */
const RUN_PATH_WORD = /(-Wl,(?:-rpath[,=]|-R)\S*)/;

/**
 * The command with the source and build directories replaced by `/src` and
 * the sandbox build directory, at directory boundaries, except in a run
 * path (`RUN_PATH_WORD`).
 */
export function mapCommand(command: string, layout: Layout): string {
  const dirs = [[layout.buildDir, sandboxBuildDir(layout)], [layout.srcDir, '/src']].sort((a, b) => b[0]!.length - a[0]!.length);
  return command.split(RUN_PATH_WORD).map((part, i) => (i % 2 === 1 ? part : dirs.reduce((s, [from, to]) => s.replace(dirPattern(from!), to!), part))).join('');
}

/**
 * Debian's `cc` and `c++` are alternatives a package's install script
 * makes, which a `deb:closure` does not run: in a command they stand for
 * the `gcc` and `g++` they point to on Debian. CMake writes them as
 * `/usr/bin/cc`; Meson as a bare `cc` where a simple command starts.
 */
function alternatives(command: string): string {
  const gnu = (tool: string) => (tool === 'cc' ? 'gcc' : 'g++');
  return command.replace(/(^|[\s&;|(])\/usr\/bin\/(cc|c\+\+)(?=\s)/g, (_, pre: string, tool: string) => `${pre}/usr/bin/${gnu(tool)}`)
    .replace(/(^|&&|\|\||[;|(])(\s*)(cc|c\+\+)(?=\s)/g, (_, pre: string, space: string, tool: string) => `${pre}${space}${gnu(tool)}`);
}

/** The sandbox path of an input (relative to the build directory, or absolute). */
function sandboxPath(layout: Layout, p: string): string {
  if (!p.startsWith('/')) return posix.join(sandboxBuildDir(layout), p);
  return mapCommand(p, layout);
}

/**
 * Whether a source quote-includes a file that an include tree of headers
 * would not hold: a path with `..` (fmt's `#include "../src/os.cc"`) or a
 * file that is not a header by its name (googletest's `gtest-all.cc`
 * includes `src/gtest.cc`). Such a compile runs as `ninja:command` with
 * the whole source tree. A source an edge makes is not there yet to read:
 * it goes to `cc:compile`, as before, where such an include fails the
 * compile rather than give a wrong object.
 */
function includesNonHeaders(file: string, source: Files): boolean {
  const text = source.read(file);
  if (text === undefined) return false;
  for (const m of text.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)) {
    if (m[1]!.split('/').includes('..') || !HEADER.test(m[1]!)) return true;
  }
  return false;
}

/**
 * Whether a header that the source reaches through the project's include
 * trees (`chain`, in search order) includes a file the sandbox cannot show
 * it. There each tree is at `/include/<n>`, holding only headers, so a
 * quote include relative to a header must stay inside that header's tree
 * and name a header: cJSON's `tests/unity/src/unity_internals.h` has
 * `#include "../examples/unity_config.h"`, and its `tests/common.h` has
 * `#include "../cJSON.c"`. Every `#include "…"` and `#include <…>` is
 * followed, whatever the conditionals around it (so this errs towards a
 * command); one found in no tree is the toolchain's, or made by an edge.
 * `texts` keeps what was read, for the next compile of the plan.
 */
function reachesUnholdable(source: string, chain: readonly string[], files: Files, texts: Map<string, string | undefined>): boolean {
  const read = (p: string) => {
    if (!texts.has(p)) texts.set(p, files.read(p));
    return texts.get(p);
  };
  const seen = new Set<string>();
  const queue: { path: string; tree?: string }[] = [{ path: source }];
  for (let item = queue.shift(); item; item = queue.shift()) {
    for (const m of (read(item.path) ?? '').matchAll(/^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)/gm)) {
      const quoted = m[1], q = (m[1] ?? m[2])!;
      let found: { path: string; tree: string } | undefined;
      const beside = item.tree !== undefined && quoted !== undefined ? posix.join(posix.dirname(item.path), q) : undefined;
      if (beside !== undefined && files.isFile(beside)) found = { path: beside, tree: item.tree! };
      for (const d of chain) {
        if (found) break;
        if (files.isFile(posix.join(d, q))) found = { path: posix.join(d, q), tree: d };
      }
      if (!found) continue;
      if (posix.relative(found.tree, found.path).startsWith('../') || !HEADER.test(found.path)) return true;
      if (!seen.has(`${found.tree}\0${found.path}`)) {
        seen.add(`${found.tree}\0${found.path}`);
        queue.push(found);
      }
    }
  }
  return false;
}

/**
 * gcc's own system directories: given as `-I`, gcc ignores them (they stay searched as system directories), which
 * an include tree at `/include/<n>` would not reproduce.
 */
const STANDARD_DIR = /^\/usr\/(local\/)?include(\/[^/]+-linux-[^/]+)?\/?$|^\/usr\/lib\/gcc\//;

/** A search chain with each directory once, at its first place, as gcc keeps it. */
const once = (dirs: readonly string[]) => dirs.filter((d, i) => dirs.indexOf(d) === i);

/**
 * The `cc:compile` inputs and extra flags of a recognised compile, or
 * undefined to leave it to `ninja:command`. A directory of the toolchain
 * (under `/usr`, `/lib…`, `/etc`, outside the project: `isToolchainPath`)
 * stays a flag, `-I/usr/src/googletest/googletest`, since the toolchain is
 * `/` in the sandbox and in the spelling; any other directory is an
 * include tree of its headers (`ninja:headers`). A toolchain source
 * (googletest's `gtest-all.cc`) is taken from the toolchain tree by
 * projection (`$tc/usr/src/…`). The flags come before the trees on
 * `cc:compile`'s command line, so in each search chain (`-I`, with the
 * source's own directory first, and `-isystem`, gcc's two chains) the
 * toolchain directories before the first project directory stay flags, and
 * from there on every directory is a tree, in order: a toolchain one as
 * the toolchain's part at that path (`$tc/usr/…`). The `-isystem` trees
 * come last, `system=K`. A `-I` directory that is also an `-isystem` one is
 * dropped, and a repeated one kept at its first place, as gcc does; a
 * compile that would need one of gcc's standard directories as a tree is
 * left to a command.
 */
function compileParts(r: Extract<Recognised, { kind: 'compile' }>, layout: Layout, files: Files, texts: Map<string, string | undefined>): { toolchainSource: boolean; source: string; trees: string[]; system: string[]; flags: string[] } | undefined {
  const roots = [layout.srcDir, layout.buildDir];
  const ofToolchain = (p: string) => isToolchainPath(p, roots);
  const source = posix.resolve(layout.buildDir, r.source);
  const own = posix.dirname(source);
  const system = once(r.system.map((d) => posix.resolve(layout.buildDir, d)));
  const dirs = once(r.includes.map((d) => posix.resolve(layout.buildDir, d))).filter((d) => !system.includes(d));
  const toolchainSource = ofToolchain(source);
  const split = (chain: readonly string[]) => {
    const first = chain.findIndex((d) => !ofToolchain(d));
    return first < 0 ? { flags: [...chain], trees: [] } : { flags: chain.slice(0, first), trees: chain.slice(first) };
  };
  const quote = split([...(dirs.includes(own) ? [] : [own]), ...dirs]);
  const sys = split(system);
  if ([...quote.trees, ...sys.trees].some((d) => ofToolchain(d) && STANDARD_DIR.test(d))) return undefined;
  if (!toolchainSource && includesNonHeaders(source, files)) return undefined;
  if (!toolchainSource && reachesUnholdable(source, [...quote.trees, ...sys.trees].filter((d) => !ofToolchain(d)), files, texts)) return undefined;
  return { toolchainSource, source, trees: quote.trees, system: sys.trees, flags: [...quote.flags.map((d) => `-I${d}`), ...sys.flags.map((d) => `-isystem${d}`)] };
}

/** Build the plan for `targets` (empty: the manifest's defaults, else every output no edge reads). */
export function translate(written: Manifest, layout: Layout, toolchain: string, targets: readonly string[], source: Files = hostFiles): Plan {
  const manifest = withoutLaunchers(written);
  const producer = new Map<string, Edge>();
  for (const e of manifest.edges) for (const o of [...e.outputs, ...e.implicitOutputs]) producer.set(key(layout, o), e);
  const keyOf = (p: string) => key(layout, p);
  const symbolic = symbolicOutputs(manifest, keyOf);
  const effect = (e: Edge) => isEffect(e, symbolic, keyOf);
  let wanted = targets.map((t) => key(layout, t));
  if (wanted.length === 0) wanted = manifest.defaults.map((t) => key(layout, t));
  if (wanted.length === 0) {
    const read = new Set(manifest.edges.flatMap((e) => [...e.inputs, ...e.implicitInputs, ...e.orderOnly].map((p) => key(layout, p))));
    wanted = [...producer.keys()].filter((o) => !read.has(o));
  }
  // The edges needed, inputs first (a depth-first walk; a cycle is refused as ninja does).
  const order: Edge[] = [];
  const state = new Map<Edge, 'active' | 'done'>();
  const visit = (path: string, from: string): void => {
    const e = producer.get(path);
    if (!e) {
      if (!source.exists(posix.resolve(layout.buildDir, path))) {
        throw new NomiaError('ninja/unknown-target', `'${path}', needed by '${from}', is missing and no edge makes it`, { hint: 'check the target name, or reconfigure: cmake -S SRC -B BUILD -G Ninja' });
      }
      return;
    }
    if (state.get(e) === 'done') return;
    if (state.get(e) === 'active') throw new NomiaError('ninja/cycle', `dependency cycle through '${path}'`, { hint: 'fix the build description that generated build.ninja' });
    if (e.bindings['generator'] !== undefined) return;
    state.set(e, 'active');
    for (const p of [...e.inputs, ...e.implicitInputs, ...e.orderOnly]) visit(key(layout, p), path);
    state.set(e, 'done');
    order.push(e);
  };
  for (const t of wanted) visit(t, 'the command line');

  const lines: string[] = [`tc = ${toolchain}`, ...source.prelude];
  const decls: Decl[] = lines.map(() => ({ kind: 'support' }));
  const vars = new Map<Edge, string>();
  const imports = new Map<string, string>();
  const headerTrees = new Map<string, string>();
  const sourceTrees = new Map<string, string>();
  const counts = { compile: 0, archive: 0, link: 0, command: 0 };
  const effects: Edge[] = [];
  const support = (map: Map<string, string>, prefix: string, k: string, name: string): string => {
    let v = map.get(k);
    if (!v) {
      v = `${prefix}${map.size}`;
      map.set(k, v);
      lines.push(`${v} = ${name}`);
      decls.push({ kind: 'support' });
    }
    return v;
  };
  /** The files a path stands for: itself, or for a phony edge's output, that edge's inputs; none for an effect's or a SYMBOLIC one. */
  const files = (p: string): string[] => {
    const k = key(layout, p);
    const e = producer.get(k);
    if ((e && effect(e)) || symbolic.has(k)) return [];
    if (e && e.rule === 'phony') return [...e.inputs, ...e.implicitInputs].flatMap(files);
    // Meson's links take a shared library through its symbol list (`libx.so.p/libx.so.symbols`, ninja's restat
    // skips relinking when it is unchanged) and name the library itself only in the command: the library too.
    if (e && /--internal symbolextractor /.test(e.bindings['command'] ?? '')) return [k, ...e.inputs.flatMap(files)];
    return [k];
  };
  const linkFiles = {
    // A directory (`-L/checkout/lib`) is not a link input: such a link stays a command.
    isFile: (p: string) => {
      const k = key(layout, p);
      const e = producer.get(k);
      if (e) return e.rule !== 'phony';
      return source.isFile(posix.resolve(layout.buildDir, k));
    },
    withoutSoname: (p: string) => !(producer.get(key(layout, p))?.bindings['command'] ?? '').includes('-Wl,-soname,'),
  };
  // What each edge is, decided once: a compile that cc:compile cannot lay out is a command.
  const kinds = new Map<Edge, Recognised>();
  const texts = new Map<string, string | undefined>();
  const kind = (e: Edge): Recognised => {
    let r = kinds.get(e);
    if (!r) {
      r = recognise(e, [layout.srcDir, layout.buildDir], linkFiles);
      if (r.kind === 'compile' && !compileParts(r, layout, source, texts)) r = { kind: 'other' };
      kinds.set(e, r);
    }
    return r;
  };
  /** The name of a file: a result of the edge making it, or the file on disk. */
  const nameOf = (k: string): string => {
    const e = producer.get(k);
    if (e && vars.has(e)) {
      const v = vars.get(e)!;
      return kind(e).kind === 'other' ? `$${v}/${k.split('/').map(printSegment).join('/')}` : `$${v}`;
    }
    const abs = posix.resolve(layout.buildDir, k);
    return source.file(abs, (name) => `$${support(imports, 'f', abs, name)}`);
  };
  const ref = (p: string): string[] => files(p).map(nameOf);
  /**
   * Whether a path a command names is there to be taken as an input: an edge's output, or a file or directory of
   * this machine. Not a directory of the build tree no edge makes (Meson's `-Wl,-rpath-link,<build>/pixman`): it
   * holds outputs of other edges, which an edge takes only as what it declares, and as a tree of this machine
   * it would lie over them in the sandbox, as they were when the last build wrote them.
   */
  const known = (k: string) => (producer.has(k) && !effect(producer.get(k)!) && !symbolic.has(k))
    || (k.startsWith('/') ? source.exists(k) : source.isFile(posix.resolve(layout.buildDir, k)));
  const headers = (dir: string) => `$${support(headerTrees, 'h', dir, source.headers(dir))}`;
  /**
   * The headers that edges of the plan make and a compile waits for (its implicit and order-only inputs, through
   * phony edges: CMake's `cmake_object_order_depends_target_…`), by the edge making each. Not through other edges:
   * what a generator needs is not the compile's.
   */
  const madeHeaders = (e: Edge): Map<string, Edge> => {
    const made = new Map<string, Edge>();
    const seen = new Set<string>();
    const walk = (p: string): void => {
      const k = key(layout, p);
      const d = producer.get(k);
      if (seen.has(k) || !d) return;
      seen.add(k);
      if (d.rule === 'phony') for (const q of [...d.inputs, ...d.implicitInputs, ...d.orderOnly]) walk(q);
      else if (HEADER.test(k) && !k.startsWith('/') && vars.has(d) && kind(d).kind === 'other') made.set(k, d);
    };
    for (const p of [...e.implicitInputs, ...e.orderOnly]) walk(p);
    return made;
  };
  /**
   * A compile's include trees: for each directory, the trees of the edges that make headers in it (their result's
   * part at that directory), then its headers on this machine. A generated header is in the build directory on the
   * host only once it was written there, after a build: the edge's result has it on the first build too, and
   * comes first, as the file just written would be what ninja's compile reads.
   */
  const includeTrees = (e: Edge, dirs: readonly string[]): string[] => {
    const made = madeHeaders(e);
    return dirs.flatMap((dir) => {
      if (isToolchainPath(dir, [layout.srcDir, layout.buildDir])) return [`$tc${dir.split('/').map((c) => (c ? printSegment(c) : '')).join('/')}`];
      const rel = posix.relative(layout.buildDir, dir);
      const inBuild = rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
      const makers = new Set([...made].filter(([k]) => inBuild && (rel === '' || k.startsWith(`${rel}/`))).map(([, d]) => d));
      const at = rel === '' ? '' : `/${rel.split('/').map(printSegment).join('/')}`;
      return [...[...makers].map((d) => `$${vars.get(d)!}${at}`), headers(dir)];
    });
  };

  for (const e of order) {
    if (e.rule === 'phony') continue;
    if (effect(e)) {
      effects.push(e);
      continue;
    }
    const v = `e${vars.size}`;
    const r = kind(e);
    let name: string;
    if (r.kind === 'compile') {
      counts.compile++;
      const parts = compileParts(r, layout, source, texts)!;
      const src = parts.toolchainSource ? `$tc${parts.source.split('/').map((c) => (c ? printSegment(c) : '')).join('/')}` : ref(r.source)[0]!;
      const system = includeTrees(e, parts.system);
      const inputs = [`src: ${src}`, ...[...includeTrees(e, parts.trees), ...system].map((t, i) => `include${i}: ${t}`), 'toolchain: $tc'];
      name = `cc:compile?args=${list([...r.args, ...parts.flags])}${system.length ? `&system=${system.length}` : ''}(${inputs.join(', ')})`;
    } else if (r.kind === 'archive') {
      counts.archive++;
      name = `cc:archive?name=${str(posix.basename(e.outputs[0]!))}&members=${list(r.members.map((m) => posix.basename(m)))}(${[...r.members.flatMap(ref), 'toolchain: $tc'].join(', ')})`;
    } else if (r.kind === 'link') {
      counts.link++;
      const driver = r.driver === 'g++' ? '&driver=g++' : '';
      name = `cc:link?args=${list(r.args)}${driver}&name=${str(posix.basename(e.outputs[0]!))}(${[...r.files.map((f) => nameOf(key(layout, f))), 'toolchain: $tc'].join(', ')})`;
    } else {
      counts.command++;
      const compile = isCompileEdge(e);
      const tree = compile ? source.tree(layout.srcDir, (name) => `$${support(sourceTrees, 't', layout.srcDir, name)}`) : undefined;
      name = commandName(e, layout, files, nameOf, known, symbolic, searchedLibraries(e, layout, producer), tree, compile ? headers(layout.buildDir) : undefined);
    }
    vars.set(e, v);
    lines.push(`${v} = ${name}`);
    const outs = [...e.outputs, ...e.implicitOutputs].map((o) => key(layout, o)).filter((o) => !symbolic.has(o));
    decls.push(r.kind === 'other' ? { kind: 'tree', paths: [...new Set(outs)], edge: e } : { kind: 'file', path: outs[0]!, edge: e });
  }
  return { text: `compose\n  ${lines.join(';\n  ')}`, decls, counts, targets: [...new Set(wanted.flatMap(files))], effects };
}

/**
 * The `ninja:command` name of an edge run as written, with its declared inputs and the files of the source tree its
 * command names. A compile has no declared headers (ninja learns them from its depfile), so it gets `tree`, the whole
 * source tree, at `/src` first, and `buildHeaders`, the headers of the build directory (the `config.h` a configure
 * wrote there), copied into its build directory.
 */
function commandName(e: Edge, layout: Layout, files: (p: string) => string[], nameOf: (k: string) => string, known: (k: string) => boolean, symbolic: ReadonlySet<string>, searched: readonly string[], tree?: string, buildHeaders?: string): string {
  const command = e.bindings['command'] ?? '';
  // A SYMBOLIC output is never written: the node's outputs are the files the command makes (its BYPRODUCTS).
  const outputs = [...new Set([...e.outputs, ...e.implicitOutputs].map((o) => key(layout, o)))].filter((o) => !symbolic.has(o));
  for (const o of outputs) {
    if (o.startsWith('/')) throw new NomiaError('ninja/unknown-target', `the edge making '${o}' writes outside the build directory ${layout.buildDir}`, { hint: 'nomia ninja builds inside the build directory only' });
  }
  // A declared input of the toolchain (Meson lists `/usr/lib/x86_64-linux-gnu/libm.a` among a link's) is already
  // there: the toolchain is `/` in the sandbox and in the spelling.
  const declared = [...e.inputs, ...e.implicitInputs].flatMap(files).filter((k) => !(k.startsWith('/') && isToolchainPath(k, [layout.srcDir, layout.buildDir])));
  // Files of the source or build tree the command names without declaring them (json-c's linker version script).
  const dirs = [layout.srcDir, layout.buildDir].map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // Never the build directory itself, or a directory holding it (Meson's `symbolextractor /src/build …` names it):
  // it holds the edge's own outputs, so the edge would be spelled by what it wrote the last time.
  const holdsBuild = (k: string) => k === '' || k === '.' || k === layout.buildDir || layout.buildDir.startsWith(`${k.replace(/\/+$/, '')}/`);
  const named = [...command.matchAll(new RegExp(`(?:${dirs})/[^\\s'",:;=]+`, 'g'))].map((m) => key(layout, m[0]))
    // Nor the build directory itself (`cd SRC/build && …`, a build directory inside the source one): it is the writable `dir`.
    .filter((k) => !declared.includes(k) && !outputs.includes(k) && !holdsBuild(k) && known(k));
  const all = [...new Set([...declared, ...named, ...searched])];
  const dir = sandboxBuildDir(layout);
  const at = [...(tree ? ['/src'] : []), ...(buildHeaders ? [dir] : []), ...all.map((k) => sandboxPath(layout, k))];
  // The default working directory is left out, so that names made before `dir` existed keep their spelling.
  const params = `command=${str(alternatives(mapCommand(command, layout)))}${dir === '/build' ? '' : `&dir=${str(dir)}`}&inputs=${list(at)}&outputs=${list(outputs)}`;
  return `ninja:command?${params}(${[...(tree ? [tree] : []), ...(buildHeaders ? [buildHeaders] : []), ...all.map(nameOf), 'toolchain: $tc'].join(', ')})`;
}

const SHARED_LIBRARY = /\.so(\.\d+)*$/;

/**
 * The shared libraries a link reads without declaring them: those the edge depends on (through any edge) that lie
 * in a directory of the build it names in `-Wl,-rpath-link,DIR`. The linker looks there for the libraries its
 * libraries need (CMake's `libouter.so` needs `libinner.so`), as they are, so the command takes them as inputs.
 */
function searchedLibraries(e: Edge, layout: Layout, producer: ReadonlyMap<string, Edge>): string[] {
  const dirs = [...(e.bindings['command'] ?? '').matchAll(/-Wl,-rpath-link[,=]([^\s'"]+)/g)].flatMap((m) => m[1]!.split(':'))
    .map((d) => key(layout, posix.resolve(layout.buildDir, d))).filter((d) => !d.startsWith('/'));
  if (dirs.length === 0) return [];
  const found = new Set<string>();
  const seen = new Set<Edge>();
  const walk = (d: Edge): void => {
    if (seen.has(d)) return;
    seen.add(d);
    for (const p of [...d.inputs, ...d.implicitInputs, ...d.orderOnly]) {
      const k = key(layout, p);
      const by = producer.get(k);
      if (!by) continue;
      if (by.rule !== 'phony' && SHARED_LIBRARY.test(k) && dirs.includes(posix.dirname(k) === '.' ? '' : posix.dirname(k))) found.add(k);
      walk(by);
    }
  };
  walk(e);
  return [...found].sort();
}
