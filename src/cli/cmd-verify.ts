/** `nomia verify [--repair]`: rehash every object and check the database. */
import type { Command } from 'commander';
import { verify } from '../store/verify.js';
import { ProgressLine } from './progress.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('verify')
    .summary('check the store, and repair it')
    .description('Rehash every registered object and check modes, references and roots. Exits 1 if the store is inconsistent. Leftovers of interrupted work are reported but are not inconsistencies (gc removes them).')
    .option('--repair', 'fix what can be fixed: normalize metadata, unregister missing or corrupt objects, register or remove leftovers')
    .option('--json', 'print {checked, consistent, issues: [{kind, path, detail, leftover, repaired}]}')
    .action((opts: { repair?: boolean; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const progress = new ProgressLine();
        const r = await verify(store, { repair: opts.repair === true, onProgress: (d, t) => progress.update(`verifying ${d}/${t}`) });
        progress.done();
        if (!r.consistent) process.exitCode = 1;
        if (opts.json) return JSON.stringify(r, null, 2);
        const lines = r.issues.map((i) => `${i.leftover ? 'leftover' : 'ERROR'} ${i.kind} ${i.path}: ${i.detail}${i.repaired ? ' [repaired]' : ''}`);
        lines.push(`checked ${r.checked} object${r.checked === 1 ? '' : 's'}: ${r.consistent ? 'consistent' : 'INCONSISTENT (run `nomia verify --repair`)'}`);
        return lines.join('\n');
      }, { readOnly: opts.repair !== true }),
    })));
}
