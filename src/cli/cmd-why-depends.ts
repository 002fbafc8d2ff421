/** `nomia why-depends A B`: the chain of references by which A's closure holds B (as `nix why-depends`). */
import type { Command } from 'commander';
import { allPathsGraph, whyDepends } from '../store/queries/why-depends.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

/** Lines of a tree drawn as `nix why-depends` draws it; an object met again is not expanded twice. */
function treeLines(roots: readonly string[], children: (p: string) => readonly string[], label: (p: string) => string): string[] {
  const lines: string[] = [];
  const shown = new Set<string>();
  const visit = (p: string, prefix: string, branch: string): void => {
    const again = shown.has(p);
    lines.push(`${prefix}${branch}${label(p)}${again ? ' (see above)' : ''}`);
    if (again) return;
    shown.add(p);
    const kids = children(p);
    const inner = prefix + (branch === '' ? '' : branch.startsWith('└') ? '    ' : '│   ');
    kids.forEach((k, i) => visit(k, inner, i === kids.length - 1 ? '└───' : '├───'));
  };
  for (const r of roots) visit(r, '', '');
  return lines;
}

export function register(program: Command): void {
  program
    .command('why-depends')
    .summary('show why an object depends on another')
    .description('Print the chain of references by which the closure of A holds B: by default the shortest one, with --all every object of the closure of A that leads to B, as a tree. A and B may be names realized before (nothing is built: realize them first) or store objects. Exits 1 when A does not depend on B.')
    .argument('<a>', QUERY_ARG_HELP)
    .argument('<b>', QUERY_ARG_HELP)
    .option('--all', 'show every chain (the part of the closure of A that leads to B), as a tree')
    .option('--json', 'print {from, to, path: [paths…] | null}; with --all {from, to, graph: {path: [references…]}}')
    .addHelpText('after', `
Example:
  nomia why-depends 'package:build-in-sandbox?args=[bash, -c, $script](exe: …, script: …)' \\
    filesystem:by-content?name=bootstrap-tools&sha256=…`)
    .action((a: string, b: string, opts: { all?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      input: { text: a, label: '<a>' },
      go: () => withQuery(cmd, async (q) => {
        const from = await q.objects(a);
        const to = await q.object(b);
        const head = { from: from.map(q.full), to: q.full(to) };
        if (opts.all) {
          const graph = allPathsGraph(q.store, from, to);
          if (graph.size === 0) process.exitCode = 1;
          if (opts.json) return JSON.stringify({ ...head, graph: Object.fromEntries([...graph].map(([p, refs]) => [q.full(p), refs.map(q.full)])) }, null, 2);
          if (graph.size === 0) return notDepending(a, b);
          return treeLines(from.filter((f) => graph.has(f)), (p) => graph.get(p) ?? [], q.full).join('\n');
        }
        const { path } = whyDepends(q.store, from, to);
        if (!path) process.exitCode = 1;
        if (opts.json) {
          return JSON.stringify({ ...head, path: path ? path.map(q.full) : null }, null, 2);
        }
        if (!path) return notDepending(a, b);
        return treeLines(path.slice(0, 1), (p) => { const i = path.indexOf(p); return i + 1 < path.length ? [path[i + 1]!] : []; }, q.full).join('\n');
      }),
    })));
}

/** The answer when there is no chain: not an error (the question has an answer); the exit status is 1, as `grep` finding nothing. */
function notDepending(a: string, b: string): string {
  return `${a} does not depend on ${b}`;
}
