/** `nomia import < x.nar` or `< x.export`: add a NAR, or the objects of an export, from stdin. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { importNar } from '../store/import.js';
import { importExport, sniffFormat } from '../store/import-export.js';
import { byContentName } from './object-ref.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('import')
    .summary('add a NAR or an export read from stdin')
    .description('Read a NAR (from `nomia dump` or `nix-store --dump`) or an export (from `nomia export`) on stdin, check it strictly, add it, and print the name of each object added. A corrupt or truncated input is refused; nothing of the object it breaks in is stored. A NAR of a self-referring object gets its own path back (or is refused under another name); an export carries every object\'s path and references.')
    .option('--name <name>', 'the object name, for a NAR (which carries none; default `imported`)')
    .option('--root <name>', 'also create an absolute root with this name (for an export: on its last object)')
    .option('--json', 'print {name, path, hash, narSize, added} (for an export, one line per object)')
    .action((opts: { name?: string; root?: string; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (process.stdin.isTTY) throw new NomiaError('usage', 'import reads a NAR or an export from standard input', { hint: 'nomia import < file.nar' });
        const { format, stream } = await sniffFormat(process.stdin);
        if (format === 'empty') {
          throw new NomiaError('usage', 'import read nothing: standard input was empty, and it must hold a NAR or an export', {
            hint: 'nomia dump NAME > x.nar && nomia import < x.nar (or nomia export NAME > x.export && nomia import < x.export)',
          });
        }
        const root = opts.root === undefined ? {} : { root: opts.root };
        if (format === 'export' && opts.name !== undefined) throw new NomiaError('usage', 'an export carries the name of each object: --name is for a NAR', { hint: 'leave out --name' });
        const results = format === 'export'
          ? await importExport(store, stream, root)
          : [await importNar(store, stream, { ...(opts.name === undefined ? {} : { name: opts.name }), ...root })];
        return results.map(({ object, added }) => {
          const name = byContentName(object);
          return opts.json ? JSON.stringify({ name, path: `${store.layout.storeDir}/${object.path}`, hash: object.hash, narSize: object.narSize, added }) : name;
        }).join('\n');
      }),
    })));
}
