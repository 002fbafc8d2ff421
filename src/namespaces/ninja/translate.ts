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
 * Each kind has its module: compile-edge.ts, link-edge.ts, command-edge.ts;
 * the paths' places in the sandbox are sandbox-paths.ts's.
 *
 * Files no edge makes, and the header trees of `-I` directories, come from
 * a `Files`: the host's directories by default (`nomia ninja`), or trees in
 * the store (`ninja:build`, store-files.ts), so one translation serves both.
 *
 * Every declaration is bound, so the compose's results are all of them, in
 * order: `Plan.decls[i]` says what the i-th result is.
 */
import { posix } from 'node:path';
import { didYouMean, NomiaError, printSegment } from '../../namespace/index.js';
import type { Edge, Manifest } from './manifest.js';
import { HEADER } from './headers.js';
import { withoutLaunchers } from './launchers.js';
import { isEffect, symbolicOutputs } from './effects.js';
import { isCompileEdge, recognise, type Recognised } from './recognise.js';
import { isToolchainPath } from './recognise-link.js';
import { hostFiles, onceFiles, type Files } from './files.js';
import { key, type Layout } from './sandbox-paths.js';
import { segments } from './print.js';
import { compileName, compileParts, type CompileParts } from './compile-edge.js';
import { archiveName, linkName } from './link-edge.js';
import { commandName, searchedLibraries } from './command-edge.js';

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

/** Build the plan for `targets` (empty: the manifest's defaults, else every output no edge reads). */
export function translate(written: Manifest, layout: Layout, toolchain: string, targets: readonly string[], given: Files = hostFiles): Plan {
  const source = onceFiles(given);
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
  const visit = (path: string, from: string | undefined): void => {
    const e = producer.get(path);
    if (!e) {
      if (!source.exists(posix.resolve(layout.buildDir, path))) {
        // As ninja: a target typed on the command line is "unknown" (with the closest one, as ninja suggests); one an edge reads is missing.
        if (from === undefined) throw new NomiaError('ninja/unknown-target', `unknown target '${path}'${didYouMean(path, producer.keys())}`, { hint: 'list the targets: nomia ninja -C DIR -t targets all' });
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
  for (const t of wanted) visit(t, undefined);

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
  // What each edge is, decided once: a compile that cc:compile cannot lay out is a command. Its parts are kept:
  // finding them reads the source and the headers it reaches.
  const kinds = new Map<Edge, Recognised>();
  const partsOf = new Map<Edge, CompileParts>();
  const texts = new Map<string, string | undefined>();
  const kind = (e: Edge): Recognised => {
    let r = kinds.get(e);
    if (!r) {
      r = recognise(e, [layout.srcDir, layout.buildDir], linkFiles);
      if (r.kind === 'compile') {
        const parts = compileParts(r, layout, source, texts);
        if (parts) partsOf.set(e, parts);
        else r = { kind: 'other' };
      }
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
      if (isToolchainPath(dir, [layout.srcDir, layout.buildDir])) return [`$tc${segments(dir)}`];
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
      const parts = partsOf.get(e)!;
      const src = parts.toolchainSource ? `$tc${segments(parts.source)}` : ref(r.source)[0]!;
      name = compileName(r, parts, src, includeTrees(e, parts.trees), includeTrees(e, parts.system));
    } else if (r.kind === 'archive') {
      counts.archive++;
      name = archiveName(e, r, ref);
    } else if (r.kind === 'link') {
      counts.link++;
      name = linkName(e, r, (f) => nameOf(key(layout, f)));
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
