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
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { NomiaError, printSegment, printValue } from '../../namespace/index.js';
import type { Edge, Manifest } from './manifest.js';
import { withoutLaunchers } from './launchers.js';
import { recognise } from './recognise.js';

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
}

/** The host's files, as they are now: imports and `ninja:headers` of the directories (contextual). */
export const hostFiles: Files = {
  prelude: [],
  exists: (path) => existsSync(path),
  file: (path, declare) => declare(`filesystem:import?path=${str(path)}`),
  headers: (dir) => `ninja:headers?path=${str(dir)}`,
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
  /** How many edges became `cc:compile`, `cc:archive` and `ninja:command` names. */
  readonly counts: { readonly compile: number; readonly archive: number; readonly command: number };
  /** The files the targets stand for (phony targets expanded), relative to the build directory. */
  readonly targets: readonly string[];
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
 * The command with the source and build directories replaced by `/src` and
 * the sandbox build directory, except in `-Wl,-rpath,…`: a run path is where the program
 * will look at run time, on this machine, so it stays as ninja writes it.
 */
export function mapCommand(command: string, layout: Layout): string {
  const dirs = [[layout.buildDir, sandboxBuildDir(layout)], [layout.srcDir, '/src']].sort((a, b) => b[0]!.length - a[0]!.length);
  return command.split(/(-Wl,-rpath(?:-link)?,\S*)/).map((part, i) => (i % 2 === 1 ? part : dirs.reduce((s, [from, to]) => s.replace(dirPattern(from!), to!), part))).join('');
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

/** Build the plan for `targets` (empty: the manifest's defaults, else every output no edge reads). */
export function translate(written: Manifest, layout: Layout, toolchain: string, targets: readonly string[], source: Files = hostFiles): Plan {
  const manifest = withoutLaunchers(written);
  const producer = new Map<string, Edge>();
  for (const e of manifest.edges) for (const o of [...e.outputs, ...e.implicitOutputs]) producer.set(key(layout, o), e);
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
  const counts = { compile: 0, archive: 0, command: 0 };
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
  /** The files a path stands for: itself, or for a phony edge's output, that edge's inputs. */
  const files = (p: string): string[] => {
    const k = key(layout, p);
    const e = producer.get(k);
    return e && e.rule === 'phony' ? [...e.inputs, ...e.implicitInputs].flatMap(files) : [k];
  };
  /** The name of a file: a result of the edge making it, or the file on disk. */
  const nameOf = (k: string): string => {
    const e = producer.get(k);
    if (e && vars.has(e)) {
      const v = vars.get(e)!;
      return recognise(e, [layout.srcDir, layout.buildDir]).kind === 'other' ? `$${v}/${k.split('/').map(printSegment).join('/')}` : `$${v}`;
    }
    const abs = posix.resolve(layout.buildDir, k);
    return source.file(abs, (name) => `$${support(imports, 'f', abs, name)}`);
  };
  const ref = (p: string): string[] => files(p).map(nameOf);
  const known = (k: string) => producer.has(k) || source.exists(posix.resolve(layout.buildDir, k));
  const headers = (dir: string) => `$${support(headerTrees, 'h', dir, source.headers(dir))}`;

  for (const e of order) {
    if (e.rule === 'phony') continue;
    const v = `e${vars.size}`;
    const r = recognise(e, [layout.srcDir, layout.buildDir]);
    let name: string;
    if (r.kind === 'compile') {
      counts.compile++;
      const dirs = r.includes.map((d) => posix.resolve(layout.buildDir, d));
      const own = posix.dirname(posix.resolve(layout.buildDir, r.source));
      const trees = [...(dirs.includes(own) ? [] : [own]), ...dirs].map(headers);
      const inputs = [`src: ${ref(r.source)[0]}`, ...trees.map((t, i) => `include${i}: ${t}`), 'toolchain: $tc'];
      name = `cc:compile?args=${list(r.args)}(${inputs.join(', ')})`;
    } else if (r.kind === 'archive') {
      counts.archive++;
      name = `cc:archive?name=${str(posix.basename(e.outputs[0]!))}&members=${list(r.members.map((m) => posix.basename(m)))}(${[...r.members.flatMap(ref), 'toolchain: $tc'].join(', ')})`;
    } else {
      counts.command++;
      name = commandName(e, layout, files, nameOf, known);
    }
    vars.set(e, v);
    lines.push(`${v} = ${name}`);
    const outs = [...e.outputs, ...e.implicitOutputs].map((o) => key(layout, o));
    decls.push(r.kind === 'other' ? { kind: 'tree', paths: [...new Set(outs)], edge: e } : { kind: 'file', path: outs[0]!, edge: e });
  }
  return { text: `compose\n  ${lines.join(';\n  ')}`, decls, counts, targets: [...new Set(wanted.flatMap(files))] };
}

/** The `ninja:command` name of an edge run as written, with its declared inputs and the files of the source tree its command names. */
function commandName(e: Edge, layout: Layout, files: (p: string) => string[], nameOf: (k: string) => string, known: (k: string) => boolean): string {
  const command = e.bindings['command'] ?? '';
  const outputs = [...new Set([...e.outputs, ...e.implicitOutputs].map((o) => key(layout, o)))];
  for (const o of outputs) {
    if (o.startsWith('/')) throw new NomiaError('ninja/unknown-target', `the edge making '${o}' writes outside the build directory ${layout.buildDir}`, { hint: 'nomia ninja builds inside the build directory only' });
  }
  const declared = [...e.inputs, ...e.implicitInputs].flatMap(files);
  // Files of the source or build tree the command names without declaring them (json-c's linker version script).
  const dirs = [layout.srcDir, layout.buildDir].map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const named = [...command.matchAll(new RegExp(`(?:${dirs})/[^\\s'",:;=]+`, 'g'))].map((m) => key(layout, m[0]))
    .filter((k) => !declared.includes(k) && !outputs.includes(k) && known(k));
  const all = [...new Set([...declared, ...named])];
  const dir = sandboxBuildDir(layout);
  // The default working directory is left out, so that names made before `dir` existed keep their spelling.
  const params = `command=${str(alternatives(mapCommand(command, layout)))}${dir === '/build' ? '' : `&dir=${str(dir)}`}&inputs=${list(all.map((k) => sandboxPath(layout, k)))}&outputs=${list(outputs)}`;
  return `ninja:command?${params}(${[...all.map(nameOf), 'toolchain: $tc'].join(', ')})`;
}
