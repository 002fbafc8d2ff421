/** `nomia daemon`: realize names for clients on a Unix socket until stopped. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { startDaemon } from '../daemon/server.js';
import { realize } from '../engine/realize.js';
import { registry, runContext } from '../setup.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { socket?: string; allow?: string; jobs: string }

export function register(program: Command): void {
  program
    .command('daemon')
    .summary('serve realize requests on a Unix socket')
    .description('Listen on a Unix socket (mode 0600) and realize the names clients send, one JSON object per line:\n  {"id": 1, "op": "realize", "name": "…"}  →  {"id": 1, "ok": true, "results": [{"name", "type", "path"}]}\nRuns until SIGINT or SIGTERM. Builds reach their own daemon channel inside the sandbox (see `package`).')
    .option('--socket <path>', 'the socket path (default: <store>/daemon.sock)')
    .option('--allow <ids>', 'comma-separated namespace ids clients may use (default: all)')
    .option('-j, --jobs <n>', 'namespaces running at once per request', '2')
    .addHelpText('after', `
Example:
  nomia daemon --socket /tmp/nomia.sock --allow filesystem,package &
  printf '%s\\n' '{"id":1,"op":"realize","name":"filesystem:by-content?sha256=…"}' | socat - UNIX-CONNECT:/tmp/nomia.sock`)
    .action((opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const reg = registry();
        const context = runContext();
        const socketPath = opts.socket ?? join(store.layout.home, 'daemon.sock');
        const daemon = await startDaemon({
          socketPath,
          granted: opts.allow === undefined ? 'all' : opts.allow.split(',').map((s) => s.trim()).filter(Boolean),
          realize: async (name) => (await realize(name, { store, registry: reg, context, jobs: Math.max(1, Number(opts.jobs) || 2), source: name })).roots,
          onRequest: (name, outcome, detail) => process.stderr.write(`${outcome === 'ok' ? 'realized' : 'refused '} ${name}${detail ? ` → ${detail}` : ''}\n`),
        });
        process.stderr.write(`nomia daemon listening on ${socketPath}\n`);
        await new Promise<void>((resolvePromise) => {
          const stop = () => resolvePromise();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await daemon.close();
        await reg.close();
        return '';
      }),
    })));
}
