/** `nomia rdeps NAME`: the recorded names that lead to an object (as `bazel query rdeps`, over what realize recorded). */
import type { Command } from 'commander';
import { rdeps } from '../engine/rdeps.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

export function register(program: Command): void {
  program
    .command('rdeps')
    .summary('list the recorded names that lead to an object')
    .description('Print the reductions in the store\'s database whose results are OBJECT, or refer to it through references, or lead to such a result through further names. Each is shown by the spelling it is recorded from (with a name the database holds for that spelling, if any), what it reduces to, and the result that leads to OBJECT.')
    .argument('<object>', QUERY_ARG_HELP)
    .option('--direct', 'only reductions whose result is OBJECT itself, not an object that refers to it')
    .option('--json', 'print [{spelling, names, to, kind, namespace, via, direct}]')
    .addHelpText('after', `
Example:
  nomia rdeps 'filesystem:by-content?name=bootstrap-tools&sha256=…'`)
    .action((object: string, opts: { direct?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withQuery(cmd, async (q) => {
        const leads = rdeps(q.store, await q.object(object), await q.registry(), { direct: opts.direct === true });
        if (opts.json) return JSON.stringify(leads.map((l) => ({ ...l, via: q.full(l.via) })), null, 2);
        if (!leads.length) return `no recorded name leads to ${object}`;
        return leads.map((l) => [
          `${l.spelling}${l.names.length ? `  (${l.names.join(', ')})` : ''}`,
          ...l.to.map((t) => `  => ${t}`),
          `  ${l.kind} by ${l.namespace}${l.direct ? '' : `; its result ${q.full(l.via)} refers to it`}`,
        ].join('\n')).join('\n');
      }),
    })));
}
