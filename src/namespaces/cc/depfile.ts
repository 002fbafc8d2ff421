/**
 * Reading the dependency file gcc writes with `-M`/`-MD` (make syntax):
 * `target: dep dep \` continued over lines, spaces in names escaped as
 * `\ `. Only the prerequisites of the first rule count (`-MP`'s phony
 * rules are not asked for).
 */
import { posix } from 'node:path';

/** The prerequisites of the first rule in `text`, as gcc wrote them. */
export function depfilePrerequisites(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const firstRule = joined.split('\n').find((l) => l.trim() !== '') ?? '';
  const colon = firstRule.search(/:(\s|$)/);
  const body = colon < 0 ? '' : firstRule.slice(colon + 1);
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && (body[i + 1] === ' ' || body[i + 1] === '#')) {
      cur += body[++i];
    } else if (c === '$' && body[i + 1] === '$') {
      cur += '$';
      i++;
    } else if (c === ' ' || c === '\t') {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** A header the compile read from an include tree: the tree's index and the path inside it. */
export interface TreeHeader {
  readonly tree: number;
  readonly path: string;
}

/**
 * The headers among `deps` that lie in the fixed include directories
 * (`/include/<n>/…`), in a canonical order (sorted, no repeats). Anything
 * else read from outside the toolchain (a path under `/src` other than the
 * source itself) is returned in `stray` so the caller can refuse it.
 */
export function treeHeaders(deps: readonly string[], source: string): { headers: TreeHeader[]; stray: string[] } {
  const found = new Map<string, TreeHeader>();
  const stray: string[] = [];
  for (const dep of deps) {
    const p = posix.normalize(dep);
    if (p === source) continue;
    const m = /^\/include\/(\d+)\/(.+)$/.exec(p);
    if (m) {
      const h = { tree: Number(m[1]), path: m[2]! };
      found.set(`${h.tree}/${h.path}`, h);
    } else if (p.startsWith('/src/') || p.startsWith('/include/') || p.startsWith('/out/') || p.startsWith('/obj/') || !p.startsWith('/')) {
      stray.push(dep);
    }
  }
  const headers = [...found.values()].sort((a, b) => a.tree - b.tree || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { headers, stray };
}
