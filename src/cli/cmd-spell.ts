/** `nomia spell NAME`: the hashed spelling of a name (and, with --nodes, of each node). */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { flatten } from '../graph/flatten.js';
import { nodeLabel } from '../graph/render.js';
import { parseName } from '../name/parse.js';
import { spellGraph } from '../namespace/spelling.js';
import { registry } from '../setup.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { addSpellFlags, spellOptions, type SpellFlags } from './spell-options.js';

export function register(program: Command): void {
  addSpellFlags(program
    .command('spell')
    .summary('print the hashed spelling of a name')
    .description('Flatten NAME into its wiring graph and print its hashed spelling (docs/spec/spelling.md), with namespaces spelled as the namespace of namespaces (built-ins and nomia.json) spells them: the spelling realize looks the name up by. Names that are the same graph, however written, spell the same.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--nodes', 'also print the spelling of every node')
    .option('--json', 'print {"spelling", "nodes": [{"node", "name", "spelling"}]} as JSON'))
    .action((arg: string | undefined, opts: SpellFlags & { nodes?: boolean; json?: boolean }) =>
      run(() => {
        const input = nameArgument(arg);
        return { input, go: () => {
          const name = parseName(input.text);
          const graph = flatten(name, input.text);
          const s = spellGraph(graph, registry(), spellOptions(opts));
          if (graph.nodes.length === 0) throw new NomiaError('graph/invalid', 'the name has no nodes');
          const nodes = graph.nodes.map((n) => ({ node: n.id, name: nodeLabel(n), spelling: s.nodes[n.id]! }));
          if (opts.json) return JSON.stringify({ spelling: s.name, nodes }, null, 2);
          if (!opts.nodes) return s.name;
          return [s.name, ...nodes.map((n) => `  n${n.node} ${n.spelling} ${n.name}`)].join('\n');
        } };
      }));
}
