/**
 * `nomia up [--root R] NAME`: start the services a name names (and what they need) and return once they are ready.
 *
 * Two paths. The lean one answers a second `up` of a name whose service runs and is ready: the memo of
 * `up` (up-memo.ts) names the service, and one question to the supervisor holds it, before the engine,
 * the store's database or any namespace is loaded (up-lean.ts answers it even before commander loads; the
 * memo is asked here again for the command lines it leaves). The full one realizes the name (starting what
 * is not running), holds its service, and memoizes the name when its meaning cannot change.
 */
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import type { EngineEvent } from '../engine/events.js';
import type { Name } from '../name/ast.js';
import type { ServiceInfo } from '../namespaces/service/protocol.js';
import { storeHome } from '../store/layout.js';
import { fileOrArgument, type NameInput } from './input.js';
import type { LogFormat } from './render-events.js';
import { parseLogFormat } from './options.js';
import { run } from './run.js';
import { holdMemoized, startSupervisorSoon, upAnswer } from './up-lean.js';
import { upMemoKey } from './up-memo.js';
import { gatheredId } from '../namespaces/service/gather.js';
import { trace } from '../namespaces/service/trace.js';

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
  tools=$(nomia bootstrap-tools); www=$(nomia add --name www ./www)
  nomia up --root web "service:process?args=[httpd, -f, -p, \\"127.0.0.1:8080\\", -h, \\$www]&ready=\\"http://127.0.0.1:8080/\\"(exe: $tools/bin/busybox, www: $www)"`)
    .action((arg: string | undefined, opts: Opts, cmd: Command) => run(async () => {
      if (opts.root !== undefined) (await import('../store/root-name.js')).checkRootName(opts.root);
      const input = fileOrArgument(opts.file, arg);
      return { input, go: async () => {
        trace('cli: up');
        const home = storeHome((cmd.optsWithGlobals() as { store?: string }).store);
        // Started already by the lean path (up-lean.ts), unless it left this command line.
        startSupervisorSoon(home);
        const key = upMemoKey(input.text, home, input.dir ?? process.cwd());
        const held = key === undefined ? undefined : await holdMemoized(home, key, opts.root);
        return upAnswer(held ?? await upFull(cmd, input, opts, key), opts.root, opts.json === true);
      } };
    }));
}

/**
 * The full path: realize the name, start its services and hold the one it gives, and memoize the name if its
 * meaning is fixed. A name of services and objects named by content (the memo's condition) has its services'
 * starts gathered while it is realized and made by one question after (service/gather.ts); any other name's
 * services are started by the engine, each once realized.
 */
async function upFull(cmd: Command, input: NameInput, opts: Opts, key: string | undefined): Promise<ServiceInfo> {
  const [{ realize }, { registry, runContext }, { withStore }, { eventRenderer }, { runningId }, { ask }, memo, { parseName }, { gatherStarts }, { processHolder }] = await Promise.all([
    import('../engine/realize.js'), import('../setup.js'), import('./store-options.js'), import('./render-events.js'),
    import('../namespaces/service/spec.js'), import('../namespaces/service/client.js'), import('./up-memo.js'), import('../name/parse.js'),
    import('../namespaces/service/gather.js'), import('../namespaces/service/protocol.js'),
  ]);
  trace('cli: modules loaded');
  // Parsed once: the check that the name is exact and the realize take the same tree (a chain of 20 is 5 kB of
  // text, whose parse in a process that has just started was 5–10 ms, made twice).
  const parsed = key === undefined ? undefined : parsedOrUndefined(() => parseName(input.text));
  const exact = parsed !== undefined && memo.exactServiceName(parsed);
  return withStore(cmd, async (store) => {
    trace('cli: store open');
    const home = store.layout.home;
    const reg = registry(input.dir ?? process.cwd());
    const render = eventRenderer(opts.logFormat);
    const events = gatheredEvents(render.listener);
    const gathering = exact ? gatherStarts(home) : undefined;
    try {
      let roots;
      try {
        // The parsed tree of an exact name: it has a contextual part (a service), so no realize records it by its text.
        ({ roots } = await realize(exact ? parsed : input.text, { store, registry: reg, context: runContext(input.dir), jobs: 8, onEvent: events.listener, source: input.text }));
      } finally {
        gathering?.close();
      }
      trace('cli: realized');
      const services = roots.flatMap((r) => {
        const id = runningId(r);
        return id === undefined ? [] : [id];
      });
      if (services.length !== 1) {
        throw new NomiaError('usage', `\`nomia up\` takes a name whose result is one service; this one gives ${roots.map((r) => r.type).join(', ') || 'nothing'}`, {
          hint: 'e.g. nomia up --root web \'service:process?args=[…]&ready=…(exe: …)\'',
        });
      }
      // Without --root the supervisor names it by its label: one question to it, not a status and a hold.
      const hold = { id: services[0]!, ...(opts.root === undefined ? {} : { root: opts.root }) };
      const specs = gathering?.close() ?? [];
      const answer = specs.length === 0 ? await ask(home, { op: 'hold', ...hold })
        : await ask(home, { op: 'start-all', specs, holder: processHolder(process.pid), hold });
      trace('cli: services ready');
      events.ready(answer.services ?? []);
      if (key !== undefined && exact) memo.writeUpMemo(home, key, services[0]!);
      return answer.service!;
    } finally {
      render.finish();
      await reg.close();
    }
  });
}

function parsedOrUndefined(parse: () => Name): Name | undefined {
  try {
    return parse();
  } catch {
    // Not even a name: the realize of the text says so.
    return undefined;
  }
}

/** Events passed on to `listener`; `ready` adds a log line per gathered service that became ready, to its node. */
function gatheredEvents(listener: (e: EngineEvent) => void): { listener: (e: EngineEvent) => void; ready(services: readonly ServiceInfo[]): void } {
  const nodes = new Map<string, EngineEvent & { kind: 'log' }>();
  return {
    listener(e) {
      const id = e.kind === 'log' ? gatheredId(e.line) : undefined;
      if (id !== undefined) nodes.set(id, e as EngineEvent & { kind: 'log' });
      listener(e);
    },
    ready(services) {
      for (const s of services) {
        const node = nodes.get(s.id);
        if (node) listener({ ...node, line: `service ${s.label}: ready${s.endpoint ? ` at ${s.endpoint}` : ''} (pid ${s.pid})` });
      }
    },
  };
}
