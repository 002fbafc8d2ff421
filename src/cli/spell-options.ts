/** Options shared by the commands that spell: a default namespace and `@x` bindings. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { parseSpelling, type Spelling, type SpellOptions } from '../graph/spell.js';

export interface SpellFlags {
  defaultNamespace?: string;
  resolved?: string[];
}

export function addSpellFlags(cmd: Command): Command {
  return cmd
    .option('--default-namespace <id>', 'the namespace unqualified names resolve in')
    .option('--resolved <var=spelling>', 'bind a resolved-name variable @var to a spelling (repeatable)',
      (v: string, acc: string[] = []) => [...acc, v]);
}

export function spellOptions(flags: SpellFlags): SpellOptions {
  const resolved: Record<string, Spelling> = {};
  for (const b of flags.resolved ?? []) {
    const eq = b.indexOf('=');
    const spelling = eq > 0 ? parseSpelling(b.slice(eq + 1)) : undefined;
    if (!spelling) {
      throw new NomiaError('usage', `--resolved ${JSON.stringify(b)} is not \`var=nomia1-…\``, { hint: 'get a spelling with `nomia spell NAME`' });
    }
    resolved[b.slice(0, eq).replace(/^@/, '')] = spelling;
  }
  return { resolved, ...(flags.defaultNamespace ? { defaultNamespace: flags.defaultNamespace } : {}) };
}
