/**
 * `nomia reductions NAME` shows what a name is known to reduce to (`--forget` drops it);
 * `nomia reduce A => B` asserts a reduction (`--retract` takes it back).
 */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { forget, retract } from '../engine/forget.js';
import { nameChain } from '../engine/latest-spellings.js';
import { assertReduction, notFollowed, ownerOf, reductionChain, trusted, type ChainStep } from '../engine/reductions.js';
import { nameSteps } from '../engine/steps.js';
import { parseExpression } from '../name/parse.js';
import { print } from '../name/print.js';
import type { Registry } from '../namespace/registry.js';
import type { Store } from '../store/store.js';
import { registry } from '../setup.js';
import { nameArgument } from './input.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

const CONTEXTUAL = '(depends on the caller\'s context: it runs on every realize, so nothing is recorded for it as named)';
const FROM_INPUTS = '(depends on the caller\'s context: recorded under its spelling from its inputs as last realized)';

/**
 * The lines of a chain under its first name, indented by `indent`: each followed row, then, where the
 * chain stops, the rows a cache signed with a key not trusted here (there, not followed). Undefined when
 * nothing is recorded.
 */
function chainLines(store: Store, reg: Registry, chain: readonly ChainStep[], indent: string): string[] | undefined {
  const lines: string[] = [];
  for (const { row, name, spelling } of chain) {
    if (!row) {
      lines.push(...untrustedLines(store, reg, name, spelling, indent));
      break;
    }
    lines.push(`${indent}=> ${row.to}`, `${indent}   ${row.kind === 'asserted' ? 'asserted by the user' : `${row.kind} by ${row.namespace}`}, ${new Date(row.createdAt).toISOString()}`);
    if (row.signed) lines.push(`${indent}   signed by ${row.signed.by}, from ${row.signed.from}`);
  }
  if (!lines.length) return undefined;
  return chain[0]?.fromInputs ? [`${indent}${FROM_INPUTS}`, ...lines] : lines;
}

/** Rows from `spelling` (of the name `name`) that a cache signed with a key not trusted here: there, but not followed. */
function untrustedLines(store: Store, reg: Registry, name: string, spelling: string, indent: string): string[] {
  return notFollowed(store, spelling, ownerOf(name, reg), reg).flatMap((r) => [
    `${indent}(not followed here) => ${r.to}`,
    `${indent}   signed by ${r.signed!.by}, from ${r.signed!.from}: that key is not trusted for this name here (add it to "trusted-public-keys", docs/cache.md)`,
  ]);
}

/** For `--json`, where a chain stops: the rows a cache signed with a key not trusted here. */
function notFollowedJson(store: Store, reg: Registry, name: string, spelling: string): { notFollowed?: { to: string; signedBy: string; cache: string }[] } {
  const rows = notFollowed(store, spelling, ownerOf(name, reg), reg);
  return rows.length ? { notFollowed: rows.map((r) => ({ to: r.to, signedBy: r.signed!.by, cache: r.signed!.from })) } : {};
}

/** Said under the step whose chain is the name's own, printed just above (the root of a `let … in …`). */
const OWN = '(the name\'s own chain, above)';

/**
 * What is recorded for each step of a name of several steps, from each node's spelling (a tainted one's
 * from its inputs). A step whose lines are the name's own (`own`, under the name) says so instead of
 * printing the same chain twice.
 */
async function stepLines(store: Store, text: string, reg: Registry, own: readonly string[] | undefined): Promise<string[] | undefined> {
  const steps = await nameSteps(text, reg, store);
  if (!steps || steps.length < 2) return undefined;
  const lines = ['steps:'];
  for (const step of steps) {
    const spelling = step.latest ?? step.spelling;
    const row = store.db.reductionsFrom(spelling).find((r) => !r.namespace.startsWith('engine:') && trusted(r, ownerOf(step.label, reg), reg));
    const rest = row ? await reductionChain(store, row.to, reg) : [];
    const chain: ChainStep[] = [{ name: step.label, spelling, ...(row ? { row } : {}), ...(step.latest !== undefined && step.latest !== step.spelling ? { fromInputs: true } : {}) }, ...rest];
    const shown = chainLines(store, reg, chain, '    ');
    const same = shown !== undefined && own !== undefined && shown.length === own.length && shown.every((l, i) => l === `  ${own[i]}`);
    lines.push(`  ${step.label}`, ...(same ? [`    ${OWN}`] : shown ?? [`    ${step.tainted ? CONTEXTUAL : '(nothing recorded: realize the name first)'}`]));
  }
  return lines;
}

export function register(program: Command): void {
  program
    .command('reductions')
    .summary('show the chain of reductions of a name')
    .description('Spell NAME and follow the recorded reductions from it, step by step, with who recorded each and when. For a name of several steps, what is recorded for each step follows (the step whose chain is the name\'s own says so rather than printing it again). A result a binary cache signed is followed where its key is trusted: config.json, nomia.json, or --trusted-key as given to realize (--substituter does not apply: nothing is fetched here). With --forget, remove what realizing NAME recorded, so that its next realize runs it again.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--json', 'print [{name, spelling, fromInputs?, to, kind, namespace, at, signedBy?, cache?}]; where the chain stops, notFollowed?: [{to, signedBy, cache}] (a key not trusted here)')
    .option('--forget', 'remove the reductions recorded for NAME (not user assertions: `nomia reduce --retract`)')
    .option('--trusted-key <name:base64>', 'also trust this public key, as `realize --trusted-key` does, so what a cache signed with it shows as followed (repeatable; NAME:BASE64@deb:*,git:* for those namespaces only)', (v: string, acc: string[] = []) => [...acc, v])
    .action((arg: string | undefined, opts: { json?: boolean; forget?: boolean; trustedKey?: string[] }, cmd: Command) => run(() => {
      const input = nameArgument(arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry(process.cwd(), opts.trustedKey ? { trustedKeys: opts.trustedKey } : {});
        const current = print(parseExpression(input.text));
        try {
          if (opts.forget) {
            const removed = await forget(store, current, reg);
            if (opts.json) return JSON.stringify(removed.map((r) => ({ spelling: r.from, to: r.to, kind: r.kind, namespace: r.namespace })), null, 2);
            return removed.length ? `forgot ${removed.length} reduction${removed.length === 1 ? '' : 's'} of ${current}` : `nothing is recorded for ${current}`;
          }
          const chain = await nameChain(store, current, reg);
          const steps = chain.map(({ name, spelling, row, fromInputs }) => ({ name, spelling, ...(fromInputs ? { fromInputs } : {}), ...(row ? { to: row.to, kind: row.kind, namespace: row.namespace, at: new Date(row.createdAt).toISOString(), ...(row.signed ? { signedBy: row.signed.by, cache: row.signed.from } : {}) } : notFollowedJson(store, reg, name, spelling)) }));
          if (opts.json) return JSON.stringify(steps, null, 2);
          const own = chainLines(store, reg, chain, '  ');
          const perStep = await stepLines(store, current, reg, own);
          const lines = [steps[0]?.name ?? current, ...(own ?? (perStep ? [] : ['  (no reductions recorded: realize it first)']))];
          return [...lines, ...(perStep ?? [])].join('\n');
        } finally {
          await reg.close();
        }
      }, { readOnly: opts.forget !== true }) };
    }));

  program
    .command('reduce')
    .summary('assert a reduction: A can be replaced by B')
    .description('Record that the name A may be replaced by the name B (a user assertion: trusted by your own namespace of namespaces). With --retract, remove that assertion.')
    .addHelpText('after', `
Example:
  nomia reduce 'acme-server:srv => (client-projects:acme):server'`)
    .argument('<replacement>', '`A => B`, both names')
    .option('--retract', 'remove the assertion `A => B` instead of making it')
    .action((arg: string, opts: { retract?: boolean }, cmd: Command) => run(() => {
      const input = { text: arg, label: '<replacement>' };
      return { input, go: () => withStore(cmd, async (store) => {
        const e = parseExpression(input.text);
        if (e.kind !== 'Replacement') throw new NomiaError('usage', 'expected a replacement `A => B`', { hint: "nomia reduce 'old:name => new:name'" });
        const reg = registry();
        try {
          if (opts.retract) {
            await retract(store, print(e.from), print(e.to), reg);
            return `retracted ${print(e.from)} => ${print(e.to)}`;
          }
          const to = print(e.to);
          await assertReduction(store, reg, print(e.from), to);
          return `${print(e.from)} => ${to}`;
        } finally {
          await reg.close();
        }
      }) };
    }));
}
