/**
 * The headers a compile probes with `__has_include` / `__has_include_next`
 * (docs/namespaces/cc.md, "Probed headers"). gcc's dependency file lists
 * the files a compile read, not those it only looked for, so without this
 * the exact layout would lack a probed header that exists (the exact
 * compile would see it absent: another object than the whole-tree one).
 *
 * The probes are found in the texts the compile read (the source and the
 * headers of the dependency file) and resolved on the include path as gcc
 * resolves them, conservatively: a quoted name in a header of tree *t* at
 * `dir/` is looked for at `t/dir/NAME`, and any name in every tree at
 * `i/NAME` (`__has_include_next` starts later on the path, which only
 * narrows what gcc can find). Each such path that holds a file goes into
 * the exact layout like a header read (by content); each that holds none
 * is listed as absent in the exact name. A probe whose name comes from a
 * macro (`__has_include(HEADER)`) counts every `"…"` or `<…>` in the texts
 * and flags as a candidate; those found are laid out (not listed absent:
 * most are no probe at all).
 */
import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { TreeHeader } from './depfile.js';

/** A text the compile read: the source (`at` undefined) or a header of a tree. */
export interface ReadText {
  readonly text: string;
  readonly at?: TreeHeader;
}

/** What the probes found: the files they can see, to lay out, and the paths they look at in vain. */
export interface Probed {
  readonly present: readonly TreeHeader[];
  readonly absent: readonly TreeHeader[];
}

/** A probe with its header name written out: `__has_include("a.h")`, `__has_include_next(<sys/x.h>)`. */
const DIRECT = /__has_include(?:_next)?\s*\(\s*(?:"([^"\n]+)"|<([^>\n]+)>)\s*\)/g;
/** A probe whose header name a macro gives. */
const INDIRECT = /__has_include(?:_next)?\s*\(\s*(?!["<\s])/;
/** A header name anywhere (a macro's value, a flag's `-DH=<a.h>`). */
const HEADER_NAME = /"([^"\n]{1,300})"|<([^<>\n]{1,300})>/g;

/** A relative path with no empty, `.` or `..` step: gcc's lookup through such a step needs directories the layout does not make. */
const plain = (name: string) => !name.startsWith('/') && name.split('/').every((c) => c !== '' && c !== '.' && c !== '..');

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const key = (h: TreeHeader) => `${h.tree}/${h.path}`;
const order = (a: TreeHeader, b: TreeHeader) => a.tree - b.tree || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Where gcc may look for `name` probed from `from`: beside a header (quoted), then in every tree. */
function candidates(name: string, quoted: boolean, from: TreeHeader | undefined, trees: number): TreeHeader[] {
  if (!plain(name)) return [];
  const out: TreeHeader[] = [];
  if (quoted && from) {
    const dir = posix.dirname(from.path);
    out.push({ tree: from.tree, path: dir === '.' ? name : `${dir}/${name}` });
  }
  for (let i = 0; i < trees; i++) out.push({ tree: i, path: name });
  return out;
}

/**
 * The probed headers of a compile: `trees` are the include trees' host
 * directories, `read` the headers the dependency file lists (left out of
 * the answer), `texts` what it read, `args` its flags.
 */
export function probedHeaders(trees: readonly string[], read: readonly TreeHeader[], texts: readonly ReadText[], args: readonly string[]): Probed {
  const seen = new Set(read.map(key));
  const present = new Map<string, TreeHeader>();
  const absent = new Map<string, TreeHeader>();
  const look = (h: TreeHeader, listAbsent: boolean) => {
    const k = key(h);
    if (seen.has(k) || present.has(k)) return;
    if (isFile(join(trees[h.tree]!, h.path))) {
      present.set(k, h);
      absent.delete(k);
    } else if (listAbsent) {
      absent.set(k, h);
    }
  };
  let indirect = false;
  for (const t of texts) {
    if (!t.text.includes('__has_include')) continue;
    for (const m of t.text.matchAll(DIRECT)) for (const c of candidates(m[1] ?? m[2]!, m[1] !== undefined, t.at, trees.length)) look(c, true);
    indirect ||= INDIRECT.test(t.text);
  }
  if (indirect) {
    for (const t of [...texts, { text: args.join('\n') }] as ReadText[]) {
      for (const m of t.text.matchAll(HEADER_NAME)) for (const c of candidates(m[1] ?? m[2]!, true, t.at, trees.length)) look(c, false);
    }
  }
  return { present: [...present.values()].sort(order), absent: [...absent.values()].sort(order) };
}

/** The headers read and the probed ones that exist, in the canonical order of the exact name. */
export function layoutHeaders(read: readonly TreeHeader[], probed: Probed): TreeHeader[] {
  return [...read, ...probed.present].sort(order);
}
