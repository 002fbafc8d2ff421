/**
 * A compile edge (recognise.ts) as `cc:compile`: where its source and
 * include directories come from, or undefined when `cc:compile` cannot lay
 * it out and it runs as a command (docs/namespaces/ninja.md, "Edges as
 * names").
 */
import { posix } from 'node:path';
import type { Files } from './files.js';
import { HEADER } from './headers.js';
import { list } from './print.js';
import type { Recognised } from './recognise.js';
import { isToolchainPath } from './recognise-link.js';
import type { Layout } from './sandbox-paths.js';

/**
 * Whether a source quote-includes a file that an include tree of headers
 * would not hold: a path with `..` (fmt's `#include "../src/os.cc"`) or a
 * file that is not a header by its name (googletest's `gtest-all.cc`
 * includes `src/gtest.cc`). Such a compile runs as `ninja:command` with
 * the whole source tree. A source an edge makes is not there yet to read:
 * it goes to `cc:compile`, as before, where such an include fails the
 * compile rather than give a wrong object.
 */
function includesNonHeaders(file: string, read: (p: string) => string | undefined): boolean {
  const text = read(file);
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
 */
function reachesUnholdable(source: string, chain: readonly string[], files: Files, read: (p: string) => string | undefined): boolean {
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
 * undefined to leave it to `ninja:command`. `texts` keeps the files read,
 * by path, for the plan's next compile (a translation reads each once). A directory of the toolchain
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
export function compileParts(r: Extract<Recognised, { kind: 'compile' }>, layout: Layout, files: Files, texts: Map<string, string | undefined>): { toolchainSource: boolean; source: string; trees: string[]; system: string[]; flags: string[] } | undefined {
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
  // Each file read once per translation: a source by both checks, a header by every compile that reaches it.
  const read = (p: string) => {
    if (!texts.has(p)) texts.set(p, files.read(p));
    return texts.get(p);
  };
  if (!toolchainSource && includesNonHeaders(source, read)) return undefined;
  if (!toolchainSource && reachesUnholdable(source, [...quote.trees, ...sys.trees].filter((d) => !ofToolchain(d)), files, read)) return undefined;
  return { toolchainSource, source, trees: quote.trees, system: sys.trees, flags: [...quote.flags.map((d) => `-I${d}`), ...sys.flags.map((d) => `-isystem${d}`)] };
}

/** The parts of a compile `cc:compile` lays out (`compileParts`). */
export type CompileParts = NonNullable<ReturnType<typeof compileParts>>;

/**
 * The `cc:compile` name: `src` the source's name, `trees` and `system` the names of the include trees of each
 * search chain, in order.
 */
export function compileName(r: Extract<Recognised, { kind: 'compile' }>, parts: CompileParts, src: string, trees: readonly string[], system: readonly string[]): string {
  const inputs = [`src: ${src}`, ...[...trees, ...system].map((t, i) => `include${i}: ${t}`), 'toolchain: $tc'];
  return `cc:compile?args=${list([...r.args, ...parts.flags])}${system.length ? `&system=${system.length}` : ''}(${inputs.join(', ')})`;
}
