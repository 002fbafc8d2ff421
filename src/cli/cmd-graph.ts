/** `nomia graph NAME`: the wiring graph a name flattens to, as text or Graphviz dot. */
import type { Command } from 'commander';
import { flatten } from '../graph/flatten.js';
import { renderDot, renderText } from '../graph/render.js';
import { spell } from '../graph/spell.js';
import { parseName } from '../name/parse.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { addSpellFlags, spellOptions, type SpellFlags } from './spell-options.js';

export function register(program: Command): void {
  addSpellFlags(program
    .command('graph')
    .summary('show the wiring graph of a name')
    .description('Flatten NAME (let, compose and nesting removed, variables wired, cycles kept) and print its nodes, inputs, roots and open inputs.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--dot', 'print Graphviz dot instead (e.g. `nomia graph --dot NAME | dot -Tsvg > g.svg`)')
    .option('--spellings', 'annotate each node with its spelling'))
    .action((arg: string | undefined, opts: SpellFlags & { dot?: boolean; spellings?: boolean }) =>
      run(() => {
        const input = nameArgument(arg);
        return { input, go: () => {
          const graph = flatten(parseName(input.text), input.text);
          if (opts.dot) return renderDot(graph);
          return renderText(graph, opts.spellings ? spell(graph, spellOptions(opts)) : undefined);
        } };
      }));
}
