/**
 * Any other edge as `ninja:command`, run as written in the sandbox
 * (command.ts; docs/namespaces/ninja.md, "Other edges"): its command with
 * the project's paths mapped, its inputs at their sandbox paths.
 */
import { posix } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import type { Edge } from './manifest.js';
import { list, str } from './print.js';
import { isToolchainPath } from './recognise-link.js';
import { key, mapCommand, sandboxBuildDir, sandboxPath, type Layout } from './sandbox-paths.js';

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

/**
 * The `ninja:command` name of an edge run as written, with its declared inputs and the files of the source tree its
 * command names. A compile has no declared headers (ninja learns them from its depfile), so it gets `tree`, the whole
 * source tree, at `/src` first, and `buildHeaders`, the headers of the build directory (the `config.h` a configure
 * wrote there), copied into its build directory.
 */
export function commandName(e: Edge, layout: Layout, files: (p: string) => string[], nameOf: (k: string) => string, known: (k: string) => boolean, symbolic: ReadonlySet<string>, searched: readonly string[], tree?: string, buildHeaders?: string): string {
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
  // A compile with the whole tree says where its dependency file is: it learns from it what it read (compile-command.ts).
  const dep = tree && e.bindings['depfile'] ? key(layout, posix.resolve(layout.buildDir, e.bindings['depfile'])) : undefined;
  const depfile = dep !== undefined && !dep.startsWith('/') ? `&depfile=${str(dep)}` : '';
  const params = `command=${str(alternatives(mapCommand(command, layout)))}${dir === '/build' ? '' : `&dir=${str(dir)}`}${depfile}&inputs=${list(at)}&outputs=${list(outputs)}`;
  return `ninja:command?${params}(${[...(tree ? [tree] : []), ...(buildHeaders ? [buildHeaders] : []), ...all.map(nameOf), 'toolchain: $tc'].join(', ')})`;
}

const SHARED_LIBRARY = /\.so(\.\d+)*$/;

/**
 * The shared libraries a link reads without declaring them: those the edge depends on (through any edge) that lie
 * in a directory of the build it names in `-Wl,-rpath-link,DIR`. The linker looks there for the libraries its
 * libraries need (CMake's `libouter.so` needs `libinner.so`), as they are, so the command takes them as inputs.
 */
export function searchedLibraries(e: Edge, layout: Layout, producer: ReadonlyMap<string, Edge>): string[] {
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
