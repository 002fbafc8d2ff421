/** `nomia why-depends A B`: the chain of references by which A's closure holds B (as `nix why-depends`). */
import type { Command } from 'commander';
import { referenceSites, type ReferenceSite } from '../store/queries/reference-sites.js';
import { allPathsGraph, whyDepends } from '../store/queries/why-depends.js';
import type { Store } from '../store/store.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

interface Opts { all?: boolean; precise?: boolean; json?: boolean }

/**
 * Lines of a tree drawn as `nix why-depends` draws it; an object met again is not expanded twice.
 * `sites(parent, child)`, when given, names the files of the parent that mention the child: they are
 * drawn on the branch, and the child under them after `→`, as `nix why-depends --precise` does.
 */
function treeLines(roots: readonly string[], children: (p: string) => readonly string[], label: (p: string) => string, sites?: (parent: string, child: string) => readonly ReferenceSite[]): string[] {
  const lines: string[] = [];
  const shown = new Set<string>();
  const visit = (p: string, parent: string | undefined, prefix: string, branch: string): void => {
    const again = shown.has(p) ? ' (see above)' : '';
    const inner = prefix + (branch === '' ? '' : branch.startsWith('└') ? '    ' : '│   ');
    const found = parent !== undefined && sites ? sites(parent, p) : [];
    if (found.length) {
      found.forEach((s, i) => lines.push(`${i === 0 ? prefix + branch : inner}${s.file || '.'}: ${s.excerpt}`));
      lines.push(`${inner}→ ${label(p)}${again}`);
    } else {
      lines.push(`${prefix}${branch}${label(p)}${again}`);
    }
    if (again) return;
    shown.add(p);
    const kids = children(p);
    kids.forEach((k, i) => visit(k, p, inner, i === kids.length - 1 ? '└───' : '├───'));
  };
  for (const r of roots) visit(r, undefined, '', '');
  return lines;
}

/** Every site of every edge `parent → child` among `edges`, for --json. */
function sitesJson(store: Store, edges: readonly (readonly [string, string])[], full: (p: string) => string) {
  return edges.flatMap(([from, to]) => referenceSites(store, from, to).map((s) => ({ from: full(from), to: full(to), ...s })));
}

export function register(program: Command): void {
  program
    .command('why-depends')
    .summary('show why an object depends on another')
    .description('Print the chain of references by which the closure of A holds B: by default the shortest one, with --all every object of the closure of A that leads to B, as a tree. A and B may be names realized before (nothing is built: realize them first) or store objects. Exits 1 when A does not depend on B.')
    .argument('<a>', QUERY_ARG_HELP)
    .argument('<b>', QUERY_ARG_HELP)
    .option('--all', 'show every chain (the part of the closure of A that leads to B), as a tree')
    .option('--precise', 'show, for each step, the files that mention the next object and the text around it')
    .option('--json', 'print {from, to, path: [paths…] | null}; with --all {from, to, graph: {path: [references…]}}; with --precise also sites: [{from, to, file, excerpt}]')
    .addHelpText('after', `
Example:
  nomia why-depends --precise 'package:build-in-sandbox?args=[bash, -c, $script](exe: …, script: …)' \\
    'filesystem:by-content?name=bootstrap-tools&sha256=…'`)
    .action((a: string, b: string, opts: Opts, cmd: Command) => run(() => ({
      input: { text: a, label: '<a>' },
      go: () => withQuery(cmd, async (q) => {
        const from = await q.objects(a);
        const to = await q.object(b);
        const head = { from: from.map(q.full), to: q.full(to) };
        const sites = opts.precise ? (parent: string, child: string) => referenceSites(q.store, parent, child) : undefined;
        if (opts.all) {
          const graph = allPathsGraph(q.store, from, to);
          if (graph.size === 0) process.exitCode = 1;
          if (opts.json) {
            const edges = [...graph].flatMap(([p, refs]) => refs.map((r) => [p, r] as const));
            return JSON.stringify({ ...head, graph: Object.fromEntries([...graph].map(([p, refs]) => [q.full(p), refs.map(q.full)])), ...(opts.precise ? { sites: sitesJson(q.store, edges, q.full) } : {}) }, null, 2);
          }
          if (graph.size === 0) return notDepending(a, b);
          return treeLines(from.filter((f) => graph.has(f)), (p) => graph.get(p) ?? [], q.full, sites).join('\n');
        }
        const { path } = whyDepends(q.store, from, to);
        if (!path) process.exitCode = 1;
        if (opts.json) {
          const edges = (path ?? []).slice(1).map((p, i) => [path![i]!, p] as const);
          return JSON.stringify({ ...head, path: path ? path.map(q.full) : null, ...(opts.precise ? { sites: sitesJson(q.store, edges, q.full) } : {}) }, null, 2);
        }
        if (!path) return notDepending(a, b);
        return treeLines(path.slice(0, 1), (p) => { const i = path.indexOf(p); return i + 1 < path.length ? [path[i + 1]!] : []; }, q.full, sites).join('\n');
      }),
    })));
}

/** The answer when there is no chain: not an error (the question has an answer); the exit status is 1, as `grep` finding nothing. */
function notDepending(a: string, b: string): string {
  return `${a} does not depend on ${b}`;
}
