/** `nomia log NAME`: the build log of the node a name names, kept in the store. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { reductionChain } from '../engine/reductions.js';
import { nameSteps } from '../engine/steps.js';
import { parseExpression } from '../name/parse.js';
import { print } from '../name/print.js';
import type { Registry } from '../namespace/registry.js';
import { readLog } from '../store/logs.js';
import type { Store } from '../store/store.js';
import { registry } from '../setup.js';
import { shellQuote } from './hints.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

/** The log kept for `text`: its own, else that of the first name down its chain of reductions that has one. */
async function logOf(store: Store, text: string, reg: Registry, spelling?: string): Promise<string | undefined> {
  const own = spelling === undefined ? undefined : readLog(store, spelling);
  if (own !== undefined) return own;
  for (const step of await reductionChain(store, text, reg)) {
    const log = readLog(store, step.spelling);
    if (log !== undefined) return log;
  }
  return undefined;
}

export function register(program: Command): void {
  program
    .command('log')
    .summary('show the build log of a name')
    .description('Spell NAME and print the log its namespace wrote when it last ran (a build\'s output, a failure\'s\nmessages; empty for a run that printed nothing). If NAME itself never ran, the names it reduces to are\ntried in turn. A name of several steps prints the log of each, under a `== step` line.')
    .argument('[name]', 'the name text, or - for stdin')
    .addHelpText('after', `
Example:
  nomia log 'package:build-in-sandbox?args=[bash, -c, $script](exe: …, script: …)'`)
    .action((arg: string | undefined, _opts: unknown, cmd: Command) => run(() => {
      const input = nameArgument(arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry();
        try {
          const text = print(parseExpression(input.text));
          const steps = await nameSteps(text, reg);
          if (steps && steps.length > 1) {
            const parts: string[] = [];
            let found = false;
            for (const step of steps) {
              const log = await logOf(store, step.label, reg, step.spelling);
              found ||= log !== undefined;
              parts.push(`== ${step.label}`, log === undefined ? '(no log kept: not run yet)' : log === '' ? '(empty)' : log.replace(/\n$/, ''));
            }
            if (found) return parts.join('\n');
          } else {
            const log = await logOf(store, text, reg);
            if (log !== undefined) return log === '' ? undefined : log.replace(/\n$/, '');
          }
          throw new NomiaError('store/not-found', `no log is kept for ${text}`, {
            hint: `a log is kept when a name's namespace runs: realize it first (\`nomia realize ${shellQuote(input.text)}\`); a name reused from the cache has the log of the run that made it`,
          });
        } finally {
          await reg.close();
        }
      }, { readOnly: true }) };
    }));
}
