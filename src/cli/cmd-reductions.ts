/** `nomia reductions NAME` shows what a name is known to reduce to; `nomia reduce A => B` asserts a reduction. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { assertReduction, reductionChain } from '../engine/reductions.js';
import { parseExpression } from '../name/parse.js';
import { print } from '../name/print.js';
import { registry } from '../setup.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('reductions')
    .summary('show the chain of reductions of a name')
    .description('Spell NAME and follow the recorded reductions from it, step by step, with who recorded each and when.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--json', 'print [{name, spelling, to, kind, namespace, at}]')
    .action((arg: string | undefined, opts: { json?: boolean }, cmd: Command) => run(() => {
      const input = nameArgument(arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry();
        const current = print(parseExpression(input.text));
        let chain;
        try {
          chain = await reductionChain(store, current, reg);
        } finally {
          await reg.close();
        }
        const steps = chain.map(({ name, spelling, row }) => ({ name, spelling, ...(row ? { to: row.to, kind: row.kind, namespace: row.namespace, at: new Date(row.createdAt).toISOString() } : {}) }));
        if (opts.json) return JSON.stringify(steps, null, 2);
        if (!steps[0]?.to) return `${steps[0]?.name ?? current}\n  (no reductions recorded: realize it first)`;
        const lines = [steps[0].name];
        for (const s of steps) {
          if (!s.to) break;
          lines.push(`  => ${s.to}`, `     ${s.kind === 'asserted' ? 'asserted by the user' : `${s.kind} by ${s.namespace}`}, ${s.at}`);
        }
        return lines.join('\n');
      }) };
    }));

  program
    .command('reduce')
    .summary('assert a reduction: A can be replaced by B')
    .description('Record that the name A may be replaced by the name B (a user assertion: trusted by your own namespace of namespaces).\nExample: nomia reduce \'acme-server:srv => (client-projects:acme):server\'')
    .argument('<replacement>', '`A => B`, both names')
    .action((arg: string, _opts: unknown, cmd: Command) => run(() => {
      const input = { text: arg, label: '<replacement>' };
      return { input, go: () => withStore(cmd, async (store) => {
        const e = parseExpression(input.text);
        if (e.kind !== 'Replacement') throw new NomiaError('usage', 'expected a replacement `A => B`', { hint: "nomia reduce 'old:name => new:name'" });
        const reg = registry();
        const to = print(e.to);
        try {
          await assertReduction(store, reg, print(e.from), to);
        } finally {
          await reg.close();
        }
        return `${print(e.from)} => ${to}`;
      }) };
    }));
}
