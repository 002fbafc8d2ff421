/** `nomia add PATH…`: add files and trees to the store; print their by-content names. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { importPath } from '../store/import-path.js';
import { byContentName, locate, parseObjectRef } from './object-ref.js';
import { formatBytes, ProgressLine } from './progress.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { name?: string; root?: string; reference?: string[]; json?: boolean; rehash?: boolean }

export function register(program: Command): void {
  program
    .command('add')
    .summary('add files or directories to the store')
    .description('Copy each PATH into the store (content-addressed, read-only, normalized metadata) and print its name, `filesystem:by-content?name=N&sha256=<hex>`. Adding what is already there is cheap and prints the same name: an unchanged PATH (same stat as when it was last read, see docs/store.md) is not even read.')
    .argument('<path...>', 'files, executables, symlinks or directories')
    .option('--name <name>', 'the object name (default: the base name of PATH); only with one PATH')
    .option('--root <name>', 'also create an absolute root with this name, so gc keeps the object')
    .option('--reference <object>', 'record that the object refers to another store object (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--rehash', 'add as if the stat cache had never seen PATH (read and copy it), and refresh its entry')
    .option('--json', 'print one JSON object per PATH: {name, path, hash, narSize, added}')
    .action((paths: string[], opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (opts.name !== undefined && paths.length > 1) throw new NomiaError('usage', '--name works with one PATH only');
        if (opts.root !== undefined && paths.length > 1) throw new NomiaError('usage', '--root works with one PATH only');
        const references = (opts.reference ?? []).map((r) => locate(store, parseObjectRef(r, store)).object.path);
        const lines: string[] = [];
        for (const path of paths) {
          const progress = new ProgressLine();
          try {
            const { object, added } = await importPath(store, path, {
              ...(opts.rehash ? { statCache: false } : {}),
              ...(opts.name === undefined ? {} : { name: opts.name }),
              ...(opts.root === undefined ? {} : { root: opts.root }),
              references,
              onProgress: (p) => progress.update(`${p.phase} ${path}: ${p.files} files, ${formatBytes(p.bytes)}`),
            });
            const name = byContentName(object);
            lines.push(opts.json
              ? JSON.stringify({ name, path: `${store.layout.storeDir}/${object.path}`, hash: object.hash, narSize: object.narSize, added })
              : name);
          } finally {
            progress.done();
          }
        }
        return lines.join('\n');
      }),
    })));
}
