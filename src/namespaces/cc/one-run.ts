/**
 * When the object of the whole-tree compile may stand as the result of the
 * exact name too (docs/namespaces/cc.md, "One run per compile").
 *
 * The exact name's layout holds the source and exactly the headers the
 * compile read, at the same paths; the toolchain, the command and the
 * environment are the same. So gcc reads the same bytes and writes the
 * same object, unless its result depended on a file of the include trees
 * that it did not read and that the dependency file therefore does not
 * list. gcc 12's `-MD` leaves out (checked on this machine):
 *
 * - files probed by `__has_include` / `__has_include_next` (and `__has_embed`);
 * - the file of `#pragma GCC dependency` (its absence is an error);
 * - files the assembler reads (`.incbin`, `.include` in inline asm);
 * - a precompiled `a.h.gch` beside a header read;
 * - an include directory that holds nothing read (`-Wmissing-include-dirs`
 *   warns about it in the exact layout, where it does not exist).
 *
 * A probed header the scan of probes.ts found is in the exact layout (the
 * caller passes it among `headers`), so only the others count here. A flag
 * that names a path (`-fprofile-use=/include/0/…`, `@file`) could read a
 * tree file too. Each case is found by a cheap check and answered
 * with a reason; the caller then runs the exact compile as a second run.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TreeHeader } from './depfile.js';

/** What the check needs: the compile's flags, the texts it read, the include trees and the headers read from them. */
export interface CompileRead {
  readonly args: readonly string[];
  /** The source's and every header's bytes, as read (latin1: the check looks at ASCII only). */
  readonly texts: readonly string[];
  /** The include trees' host directories, in order. */
  readonly trees: readonly string[];
  /** The exact layout's headers: those read and the probed ones found (probes.ts). */
  readonly headers: readonly TreeHeader[];
  /** The dependency file's prerequisites as gcc wrote them. */
  readonly deps: readonly string[];
}

/** Words that make gcc (or the assembler it runs) look at a file without listing it in the dependency file. */
export const UNLISTED_READ = /__has_include|__has_embed|#\s*embed\b|\.incbin\b|\.include\b|GCC\s+dependency/;

/** Flags that carry a path but read no file: a macro's value, a toolchain include directory, a prefix map. */
const PATH_BUT_NO_READ = /^(-D|-U|-I\/|-isystem\/|-f(debug|macro|file|profile)-prefix-map=)/;

/** The files (and symlinks) of a tree, relative, once per process: trees are store objects and never change. */
const listings = new Map<string, readonly string[]>();

function filesOf(tree: string): readonly string[] {
  const known = listings.get(tree);
  if (known) return known;
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(tree, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (lstatSync(tree).isDirectory()) walk('');
  listings.set(tree, out);
  return out;
}

/**
 * Why the whole-tree object may not be recorded for the exact name, or
 * undefined when it may. A reason is conservative: it costs a second run,
 * never a wrong object.
 */
export function whyNotOneRun(read: CompileRead): string | undefined {
  const flag = read.args.find((a) => a.includes('missing-include-dirs') || a.startsWith('@') || (a.includes('/') && !PATH_BUT_NO_READ.test(a)));
  if (flag !== undefined) return `its flag ${JSON.stringify(flag)} may read a file the dependency file does not list`;
  const odd = read.deps.find((d) => d.split('/').some((c) => c === '.' || c === '..'));
  if (odd !== undefined) return `it read ${odd} through a relative step, which the exact layout does not recreate`;
  const readSet = new Set(read.headers.map((h) => `${h.tree}/${h.path}`));
  const unread: { at: string; base: string }[] = [];
  read.trees.forEach((tree, i) => {
    for (const f of filesOf(tree)) {
      if (readSet.has(`${i}/${f}`)) continue;
      if (f.endsWith('.gch') && readSet.has(`${i}/${f.slice(0, -4)}`)) return void unread.push({ at: `${i}/${f}`, base: '' });
      unread.push({ at: `${i}/${f}`, base: f.slice(f.lastIndexOf('/') + 1) });
    }
  });
  const gch = unread.find((u) => u.base === '');
  if (gch) return `a precompiled header ${gch.at} lies beside a header it read`;
  const text = [...read.texts, read.args.join(' ')].join('\n');
  if (!unread.length || !UNLISTED_READ.test(text)) return undefined;
  // A probe names its file as a header name, `"a.h"` or `<a.h>` (so do `.incbin`, `#pragma GCC dependency` and
  // `#embed`), where it is written or in a macro it expands. A file named in no such place cannot be probed (short
  // of a name stringified or pasted together from pieces, see cc.md).
  const words = new Set<string>();
  for (const m of text.matchAll(/["<]([^"<>\n]{1,300})[">]/g)) for (const w of m[1]!.split(/[\s/\\]+/)) words.add(w);
  const named = unread.find((u) => words.has(u.base));
  return named && `it may probe ${named.at} (__has_include, .incbin or #pragma GCC dependency), which it did not read`;
}
