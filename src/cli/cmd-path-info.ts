/** `nomia path-info NAME…`: what the store records of objects (as `nix path-info`). */
import type { Command } from 'commander';
import { toBase32 } from '../store/hash.js';
import { pathInfo } from '../store/queries/path-info.js';
import { formatBytes } from './progress.js';
import { QUERY_ARG_HELP, withQuery } from './query-args.js';
import { run } from './run.js';

interface Opts { recursive?: boolean; closureSize?: boolean; json?: boolean }

const size = (n: number): string => `${n} (${formatBytes(n)})`;

export function register(program: Command): void {
  program
    .command('path-info')
    .summary('show the hash, size and references of objects')
    .description('Print what the store records of each object: its content hash (SHA-256 of its NAR), its NAR size and its references; with -r every object of the closure; with -S each one\'s closure size. Sizes are NAR sizes in bytes, as Nix reports them (`nix-store --dump PATH | wc -c`), not disk usage. A name must have been realized before: nothing is built.')
    .argument('<name...>', QUERY_ARG_HELP)
    .option('-r, --recursive', 'every object of the closure')
    .option('-S, --closure-size', 'the size of each object\'s closure')
    .option('--json', 'print [{path, name, hash, narHash, narSize, references, closureSize?}]')
    .addHelpText('after', `
Example:
  nomia path-info -rS 'filesystem:by-content?name=bootstrap-tools&sha256=…'`)
    .action((names: string[], opts: Opts, cmd: Command) => run(() => ({
      go: () => withQuery(cmd, async (q) => {
        const infos = pathInfo(q.store, (await Promise.all(names.map(q.objects))).flat(), { recursive: opts.recursive === true, closureSize: opts.closureSize === true });
        if (opts.json) {
          return JSON.stringify(infos.map((i) => ({
            path: q.full(i.path), name: i.name, hash: i.hash, narHash: `sha256:${toBase32(i.hash)}`, narSize: i.narSize,
            references: i.references.map(q.full), ...(i.closureSize === undefined ? {} : { closureSize: i.closureSize }),
          })), null, 2);
        }
        return infos.map((i) => [
          q.full(i.path),
          `  hash          sha256:${i.hash}`,
          `  nar size      ${size(i.narSize)}`,
          ...(i.closureSize === undefined ? [] : [`  closure size  ${size(i.closureSize)}`]),
          ...(i.references.length ? i.references.map((r, k) => `  ${k === 0 ? 'references' : '          '}    ${q.full(r)}`) : ['  references    (none)']),
        ].join('\n')).join('\n');
      }),
    })));
}
