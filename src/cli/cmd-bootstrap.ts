/** `nomia bootstrap-tools`: put a static bash and busybox into the store, the tools builds start from. */
import type { Command } from 'commander';
import { addBootstrapTools, DEFAULT_SOURCES } from '../namespaces/package/bootstrap.js';
import { byContentName } from '../resource/names.js';
import { realPath } from '../store/store.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { bash: string; busybox: string; root?: string; json?: boolean }

export function register(program: Command): void {
  program
    .command('bootstrap-tools')
    .summary('add the bootstrap tools (static bash and busybox) to the store')
    .description('Make a directory bin/ with a static bash, a static busybox and a symlink per busybox applet, add it to the store as `bootstrap-tools`, and print its name; builds name their tools by it (as in the example below). The hash depends only on the two binaries (Debian: bash-static, busybox-static).')
    .option('--bash <path>', 'a statically linked bash', DEFAULT_SOURCES.bash)
    .option('--busybox <path>', 'a statically linked busybox', DEFAULT_SOURCES.busybox)
    .option('--root <name>', 'also create an absolute root with this name, so gc keeps the tools')
    .option('--json', 'print {name, path, hash}')
    .addHelpText('after', `
Example:
  tools=$(nomia bootstrap-tools --root bootstrap-tools)
  nomia realize "package:build-in-sandbox?args=[sh, -c, \\"echo hi > \\$out\\"](exe: $tools/bin/busybox)"`)
    .action((opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const { object } = await addBootstrapTools(store, { bash: opts.bash, busybox: opts.busybox }, opts.root);
        const name = byContentName(object);
        return opts.json ? JSON.stringify({ name, path: realPath(store, object), hash: object.hash }) : name;
      }),
    })));
}
