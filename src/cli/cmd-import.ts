/** `nomia import < x.nar`: add a NAR from stdin as a store object. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { importNar } from '../store/import.js';
import { byContentName } from './object-ref.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('import')
    .summary('add a NAR read from stdin')
    .description('Read a NAR (from `nomia dump` or `nix-store --dump`) on stdin, check it strictly, add it, and print its name.\nA corrupt or truncated NAR is refused and leaves the store unchanged.')
    .option('--name <name>', 'the object name (a NAR carries none)', 'imported')
    .option('--root <name>', 'also create an absolute root with this name')
    .option('--json', 'print {name, path, hash, narSize, added}')
    .action((opts: { name: string; root?: string; json?: boolean }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (process.stdin.isTTY) throw new NomiaError('usage', 'import reads a NAR from standard input', { hint: 'nomia import < file.nar' });
        const { object, added } = await importNar(store, process.stdin, { name: opts.name, ...(opts.root === undefined ? {} : { root: opts.root }) });
        const name = byContentName(object);
        return opts.json ? JSON.stringify({ name, path: `${store.layout.storeDir}/${object.path}`, hash: object.hash, narSize: object.narSize, added }) : name;
      }),
    })));
}
