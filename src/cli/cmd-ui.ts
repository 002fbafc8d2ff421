/** `nomia ui`: a local web page showing realizes live, graph pictures, reductions, roots and logs. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { registry } from '../setup.js';
import { run } from './run.js';
import { withStore } from './store-options.js';
import { listenLive } from './ui/listen.js';
import { uiServer } from './ui/server.js';

function positive(flag: string, min: number) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 65535) throw new NomiaError('usage', `${flag} ${v}: give a number from ${min} to 65535`);
    return Number(v);
  };
}

export function register(program: Command): void {
  program
    .command('ui')
    .summary('serve a local web view of realizes, graphs, reductions, roots and logs')
    .description('Serve a web page on 127.0.0.1 and print its URL, which carries a random token (a request without it is refused). Realize a name from the page and watch its nodes run live; draw the graph of any name, its chain of reductions and its build log; list the store\'s roots and what they keep. Every `nomia realize` on the same store, from any process, shows up live in the page\'s list of runs while this runs. Runs until interrupted (^C). See docs/views.md.')
    .option('--port <port>', 'the port to listen on (0: any free port)', positive('--port', 0), 0)
    .option('-j, --jobs <n>', 'namespaces running at once in a realize started from the page', positive('--jobs', 1), 2)
    .action((opts: { port: number; jobs: number }, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const reg = registry(process.cwd());
        const token = randomBytes(16).toString('hex');
        const ui = uiServer({ store, registry: reg, token, jobs: opts.jobs });
        let live: Awaited<ReturnType<typeof listenLive>> | undefined;
        // Caught from before the URL is printed: whoever reads it may stop us at once, and a signal with no
        // handler yet would kill the process without closing anything.
        const stopped = new Promise<void>((stop) => {
          process.once('SIGINT', () => stop());
          process.once('SIGTERM', () => stop());
        });
        try {
          await new Promise<void>((listening, failed) => {
            ui.server.once('error', (e: NodeJS.ErrnoException) => failed(e.code === 'EADDRINUSE'
              ? new NomiaError('usage', `port ${opts.port} on 127.0.0.1 is in use`, { hint: 'choose another: nomia ui --port 0 picks a free one' })
              : e));
            ui.server.listen(opts.port, '127.0.0.1', () => listening());
          });
          // Realizes in other processes on this store publish to it (docs/views.md); the page works without.
          live = await listenLive(store.layout.home, ui.runs);
          if ('unavailable' in live) process.stderr.write(`warning: realizes in other processes will not be shown: ${live.unavailable}\n`);
          const { port } = ui.server.address() as AddressInfo;
          process.stdout.write(`http://127.0.0.1:${port}/?token=${token}\n`);
          await stopped;
        } finally {
          if (live && 'close' in live) await live.close();
          await ui.close();
          await reg.close();
        }
      }),
    })));
}
