/** `nomia export NAME… > x.export`: objects with their closure and metadata (docs/spec/export.md). */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { exportObjects } from '../store/export.js';
import { writeAll } from './cmd-objects.js';
import { locate, parseObjectRef } from './object-ref.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('export')
    .summary('write objects, their closure and metadata to stdout')
    .description('Write the named objects and every object they refer to, references first, in the export format (docs/spec/export.md): each NAR with its path, hash and references, as `nix-store --export` does. A self-referring build output keeps its path. Read it back with `nomia import`.')
    .addHelpText('after', `
Example:
  nomia export NAME > x.export`)
    .argument('<names...>', 'objects, as `nomia add` prints them, or store paths')
    .action((names: string[], _opts: unknown, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        if (process.stdout.isTTY) throw new NomiaError('usage', 'refusing to write a binary export to a terminal', { hint: 'redirect it: nomia export NAME > file.export' });
        const paths = names.map((n) => {
          const ref = parseObjectRef(n, store);
          const { object } = locate(store, ref);
          if (ref.projection.length > 0) throw new NomiaError('usage', `${n} is a path inside an object; export takes whole objects`, { hint: `export the object: nomia export ${object.path}` });
          return object.path;
        });
        await exportObjects(store, paths, writeAll);
      }),
    })));
}
