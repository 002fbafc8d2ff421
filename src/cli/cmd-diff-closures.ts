/** `nomia diff-closures A B`: what changed per package between two closures (as `nix store diff-closures`). */
import type { Command } from 'commander';
import { diffClosures, SIZE_THRESHOLD, type ClosureChange } from '../store/queries/diff-closures.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

/** A set of versions as Nix shows it: `∅` for none, `ε` for an object without a version. */
const versions = (vs: readonly string[]): string => (vs.length ? vs.map((v) => v || 'ε').join(', ') : '∅');

function line(c: ClosureChange): string {
  const items: string[] = [];
  if (c.versionsBefore.length || c.versionsAfter.length) items.push(`${versions(c.versionsBefore)} → ${versions(c.versionsAfter)}`);
  if (Math.abs(c.sizeDelta) >= SIZE_THRESHOLD) items.push(`${c.sizeDelta > 0 ? '+' : ''}${(c.sizeDelta / 1024).toFixed(1)} KiB`);
  return `${c.name}: ${items.join(', ')}`;
}

export function register(program: Command): void {
  program
    .command('diff-closures')
    .summary('show what changed between the closures of two objects')
    .description('Compare the closure of A with that of B, per package: objects are grouped by their name without the version (`bash-5.1` and `bash-5.2` are both `bash`; the version starts at the first `-` not followed by a letter, as Nix splits names). A package is shown when versions were added or removed, or its NAR size changed by 8 KiB or more.')
    .argument('<a>', QUERY_ARG_HELP)
    .argument('<b>', QUERY_ARG_HELP)
    .option('--json', 'print {packages: {NAME: {versionsBefore, versionsAfter, sizeDelta}}}')
    .addHelpText('after', `
Example:
  nomia diff-closures /path/to/store/…-app-1.0 /path/to/store/…-app-1.1`)
    .action((a: string, b: string, opts: { json?: boolean }, cmd: Command) => run(() => ({
      go: () => withQuery(cmd, async (q) => {
        const changes = diffClosures(q.store, await q.objects(a), await q.objects(b));
        if (opts.json) return JSON.stringify({ packages: Object.fromEntries(changes.map(({ name, ...c }) => [name, c])) }, null, 2);
        return changes.map(line).join('\n') || undefined;
      }),
    })));
}
