/** `nomia graph NAME`: the wiring graph a name flattens to, as text, Graphviz dot, SVG or an HTML page. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { graphStates } from '../engine/graph-states.js';
import { flatten } from '../graph/flatten.js';
import { renderDot, renderText } from '../graph/render.js';
import { spell } from '../graph/spell.js';
import { graphSvg, svgPage } from '../graph/svg.js';
import { parseName } from '../name/parse.js';
import { registry } from '../setup.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { addSpellFlags, spellOptions, type SpellFlags } from './spell-options.js';
import { withStore } from './store-options.js';

interface Opts extends SpellFlags { dot?: boolean; svg?: boolean; html?: boolean; spellings?: boolean }

export function register(program: Command): void {
  addSpellFlags(program
    .command('graph')
    .summary('show the wiring graph of a name')
    .description('Flatten NAME (let, compose and nesting removed, variables wired, cycles kept) and print its nodes, inputs, roots and open inputs. As a picture (--dot, --svg, --html) nodes are coloured by state in the store (in the store, reducible by a recorded reduction, must run), recorded reductions are dashed arrows and cycles (knots) are boxed. See docs/views.md.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--dot', 'print Graphviz dot (e.g. `nomia graph --dot NAME | dot -Tsvg > g.svg`)')
    .option('--svg', 'print an SVG picture (drawn without any system tool)')
    .option('--html', 'print an HTML page with the SVG picture and its legend')
    .option('--spellings', 'annotate each node with its spelling'))
    .action((arg: string | undefined, opts: Opts, cmd: Command) =>
      run(() => {
        const input = nameArgument(arg);
        if ([opts.dot, opts.svg, opts.html].filter(Boolean).length > 1) throw new NomiaError('usage', 'give one of --dot, --svg and --html');
        return { input, go: async () => {
          if (!opts.dot && !opts.svg && !opts.html) {
            const graph = flatten(parseName(input.text), input.text);
            return renderText(graph, opts.spellings ? spell(graph, spellOptions(opts)) : undefined);
          }
          const states = await withStore(cmd, async (store) => {
            const reg = registry();
            try {
              return await graphStates(store, input.text, reg);
            } finally {
              await reg.close();
            }
          }, { readOnly: true });
          if (opts.dot) return renderDot(states.graph, states.marks);
          const svg = await graphSvg(states.graph, states.marks);
          return opts.svg ? svg : svgPage(svg, input.text);
        } };
      }));
}
