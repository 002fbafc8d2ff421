/** `nomia log NAME`: the build log of the node a name names, kept in the store. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { nameLogs } from '../engine/name-log.js';
import { parseSpelling } from '../graph/spell.js';
import { parseExpression } from '../name/parse.js';
import { print } from '../name/print.js';
import { registry } from '../setup.js';
import { readLog } from '../store/logs.js';
import { shellQuote } from './hints.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('log')
    .summary('show the build log of a name')
    .description('Spell NAME and print the log its namespace wrote when it last ran (a build\'s output, a failure\'s messages; empty for a run that printed nothing). If NAME itself never ran, the names it reduces to are tried in turn. A name of several steps prints the log of each, under a `== step` line.')
    .argument('[name]', 'the name text, a node\'s spelling (nomia1-…, as in --log-format json events), or - for stdin')
    .addHelpText('after', `
Example:
  nomia log 'package:build-in-sandbox?args=[bash, -c, $script](exe: …, script: …)'
  nomia log nomia1-0gssvjbj1wrj722zlbhb6ykyhr437nwz6z8wdcj6gb8niyf5q446   # a node of nomia ninja, by its spelling`)
    .action((arg: string | undefined, _opts: unknown, cmd: Command) => run(() => {
      const input = nameArgument(arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry();
        try {
          // A node's spelling (as `--log-format json` events and `nomia ninja`'s failures give it) names its log directly.
          const spelling = parseSpelling(input.text.trim());
          if (spelling) {
            const log = readLog(store, spelling);
            if (log === undefined) throw new NomiaError('store/not-found', `no log is kept under the spelling ${spelling}`, { hint: 'a log is kept when a node runs; copy the spelling of a node that ran from its `realizing` event (--log-format json)' });
            return log === '' ? undefined : log.replace(/\n$/, '');
          }
          const text = print(parseExpression(input.text));
          const logs = await nameLogs(store, text, reg);
          if (logs && logs.length > 1) {
            return logs.flatMap((l) => [`== ${l.label}`, l.log === undefined ? '(no log kept: not run yet)' : l.log === '' ? '(empty)' : l.log.replace(/\n$/, '')]).join('\n');
          }
          if (logs) return logs[0]!.log === '' ? undefined : logs[0]!.log!.replace(/\n$/, '');
          throw new NomiaError('store/not-found', `no log is kept for ${text}`, {
            hint: `a log is kept when a name's namespace runs: realize it first (\`nomia realize ${shellQuote(input.text)}\`); a name reused from the cache has the log of the run that made it`,
          });
        } finally {
          await reg.close();
        }
      }, { readOnly: true }) };
    }));
}
