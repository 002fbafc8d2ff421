/** `nomia log NAME`: the build log of the node a name names, kept in the store. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { reductionChain } from '../engine/reductions.js';
import { parseExpression } from '../name/parse.js';
import { print } from '../name/print.js';
import { readLog } from '../store/logs.js';
import { registry } from '../setup.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('log')
    .summary('show the build log of a name')
    .description('Spell NAME and print the log its namespace wrote when it last ran (a build\'s output, a failure\'s\nmessages). If NAME itself never ran, the names it reduces to are tried in turn.')
    .argument('[name]', 'the name text, or - for stdin')
    .addHelpText('after', `
Example:
  nomia log 'package:build-in-sandbox?args=[bash, -c, $script](exe: …, script: …)'`)
    .action((arg: string | undefined, _opts: unknown, cmd: Command) => run(() => {
      const input = nameArgument(arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry();
        try {
          const steps = await reductionChain(store, print(parseExpression(input.text)), reg);
          for (const step of steps) {
            const log = readLog(store, step.spelling);
            if (log !== undefined) return log.replace(/\n$/, '');
          }
          throw new NomiaError('store/not-found', `no log is kept for ${steps[0]?.name ?? input.text}`, { hint: 'a log is kept when a name\'s namespace runs: realize it first (a name reused from the cache has the log of the run that made it)' });
        } finally {
          await reg.close();
        }
      }) };
    }));
}
