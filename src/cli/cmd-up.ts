/** `nomia up [--root R] NAME`: start the services a name names (and what they need) and return once they are ready. */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { realize } from '../engine/realize.js';
import { ask } from '../namespaces/service/client.js';
import { runningId } from '../namespaces/service/spec.js';
import { registry, runContext } from '../setup.js';
import { checkRootName } from '../store/roots.js';
import { fileOrArgument } from './input.js';
import { eventRenderer, type LogFormat } from './render-events.js';
import { parseLogFormat } from './options.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { root?: string; file?: string; logFormat: LogFormat; json?: boolean }

export function register(program: Command): void {
  program
    .command('up')
    .summary('start a service: realize a service name and keep it running under the supervisor')
    .description('Realize NAME, whose result is a service (service:process?…): it and the services it needs are started under the store\'s supervisor, which outlives this command; returns once all are ready. The root R names it for `nomia status`, `nomia logs R` and `nomia down R`; while it runs, its closure is kept through gc.')
    .argument('[name]', 'the name text, or - for stdin')
    .option('--root <R>', 'the root that keeps it running (default: the service\'s name= or args[0])')
    .option('-f, --file <file>', 'read the name from FILE instead of the NAME argument; it is realized as if run in FILE\'s directory')
    .option('--json', 'print {root, id, endpoint, pid} of the service')
    .option('--log-format <format>', 'events on stderr: json, plain, or auto', parseLogFormat, 'auto' as LogFormat)
    .addHelpText('after', `
Example:
  nomia up --root web 'service:process?args=[httpd, -f, -p, 127.0.0.1:8080, -h, $www]&ready=http://127.0.0.1:8080/(exe: TOOLS/bin/busybox, www: DIR)'`)
    .action((arg: string | undefined, opts: Opts, cmd: Command) => run(() => {
      if (opts.root !== undefined) checkRootName(opts.root);
      const input = fileOrArgument(opts.file, arg);
      return { input, go: () => withStore(cmd, async (store) => {
        const reg = registry(input.dir);
        const render = eventRenderer(opts.logFormat);
        try {
          const { roots } = await realize(input.text, { store, registry: reg, context: runContext(input.dir), jobs: 8, onEvent: render.listener, source: input.text });
          render.finish();
          const services = roots.flatMap((r) => {
            const id = runningId(r);
            return id === undefined ? [] : [id];
          });
          if (services.length !== 1) {
            throw new NomiaError('usage', `\`nomia up\` takes a name whose result is one service; this one gives ${roots.map((r) => r.type).join(', ') || 'nothing'}`, {
              hint: 'e.g. nomia up --root web \'service:process?args=[…]&ready=…(exe: …)\'',
            });
          }
          const first = await ask(store.layout.home, { op: 'status' });
          const label = first.services?.find((s) => s.id === services[0])?.label ?? 'service';
          const root = opts.root ?? checkRootName(label);
          const { service } = await ask(store.layout.home, { op: 'hold', id: services[0]!, root });
          if (opts.json) return JSON.stringify({ root, id: service!.id, endpoint: service!.endpoint, pid: service!.pid });
          return `${root}: ${service!.label} ready${service!.endpoint ? ` at ${service!.endpoint}` : ''} (pid ${service!.pid})`;
        } finally {
          render.finish();
          await reg.close();
        }
      }) };
    }));
}
