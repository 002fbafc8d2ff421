/** `nomia push CACHE NAME…`: share what names reduce to, and their objects, through a binary cache. */
import type { Command } from 'commander';
import { openTransport } from '../cache/transport.js';
import { pushNames } from '../engine/push.js';
import { registry, runContext } from '../setup.js';
import { formatBytes } from './progress.js';
import { readSigningKey } from './cmd-key.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

export function register(program: Command): void {
  program
    .command('push')
    .summary('copy names\' results and reductions to a binary cache')
    .description('Realize each NAME (reusing what is recorded), then write the reductions recorded for it, signed with your key (`nomia key generate`), and the objects they lead to with everything those refer to, to CACHE: a directory, file:///DIR, or http://HOST:PORT/PATH (HTTP PUT, e.g. nginx with dav_methods PUT). Objects are written before the records that point at them. Layout: docs/spec/cache.md.')
    .argument('<cache>', 'the cache: DIR, file:///DIR or http://HOST:PORT/PATH')
    .argument('<names...>', 'names realized in this store')
    .option('--key-file <file>', 'the secret key to sign with (default ~/.config/nomia/signing-key)')
    .action((cache: string, names: string[], opts: { keyFile?: string }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const key = readSigningKey(opts.keyFile);
        const t = openTransport(cache);
        const reg = registry();
        try {
          const r = await pushNames({ store, registry: reg, context: runContext() }, t, key, names);
          return `pushed ${r.records} reduction${r.records === 1 ? '' : 's'} and ${r.uploaded} object${r.uploaded === 1 ? '' : 's'} (${formatBytes(r.bytes)}) to ${cache}, signed by ${key.name}`;
        } finally {
          t.close();
          await reg.close();
        }
      }),
    })));
}
