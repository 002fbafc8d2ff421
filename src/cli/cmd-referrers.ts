/** `nomia referrers OBJECT`: the objects that refer to an object (as `nix-store -q --referrers`). */
import type { Command } from 'commander';
import { referrers } from '../store/queries/referrers.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

export function register(program: Command): void {
  program
    .command('referrers')
    .summary('list the objects that refer to an object')
    .description('Print the store objects whose recorded references include OBJECT (a self-reference does not count); with -r every object that reaches it through references, OBJECT itself included (as `nix-store -q --referrers-closure`). Only registered objects are searched: gc may have collected others.')
    .argument('<object>', QUERY_ARG_HELP)
    .option('-r, --recursive', 'the transitive referrers, OBJECT included')
    .option('--json', 'print [paths…]')
    .addHelpText('after', `
Example:
  nomia referrers -r 'filesystem:by-content?name=bootstrap-tools&sha256=…'`)
    .action((object: string, opts: { recursive?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withQuery(cmd, async (q) => {
        const found = referrers(q.store, await q.object(object), { recursive: opts.recursive === true }).map(q.full);
        return opts.json ? JSON.stringify(found, null, 2) : found.join('\n') || undefined;
      }),
    })));
}
