/** `nomia daemon`: realize names for clients on a Unix socket until stopped, answering no-ops from warm memos. */
import type { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NomiaError } from '../errors.js';
import type { EngineEvent } from '../engine/events.js';
import { realize } from '../engine/realize.js';
import { watchCode } from '../daemon/code-watch.js';
import { serveRun } from '../daemon/run.js';
import { startDaemon, type DaemonOptions, type DaemonRequest } from '../daemon/server.js';
import { sparePool } from '../daemon/spares.js';
import { WarmMemos } from '../daemon/warm.js';
import type { RunContext } from '../namespace/types.js';
import { registry } from '../setup.js';
import type { Store } from '../store/store.js';
import { commandWord } from './main.js';
import { realizeMemoKey } from './realize-memo.js';
import { run } from './run.js';
import { withStore } from './store-options.js';

interface Opts { socket?: string; allow?: string; jobs: string; spares: string }

/** This package's root (where bin/, client/ and dist/ are). */
const packageRoot = () => realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));

/**
 * Commands a spare does not run: the daemon itself, and the web view (a server of its own, for as long as
 * it runs, with nothing to gain from a warm start).
 */
const RUN_THEMSELVES: ReadonlySet<string> = new Set(['daemon', 'ui']);
const runsItself = (argv: readonly string[]) => {
  const word = commandWord(argv);
  return word !== undefined && RUN_THEMSELVES.has(word) ? word : undefined;
};

/** The spares and the `run` op (docs/engine.md, "Spare CLI processes"); undefined with `--spares 0`. */
function spareService(store: Store, count: number) {
  if (count === 0) return undefined;
  const root = packageRoot();
  let pool: ReturnType<typeof sparePool> | undefined;
  const code = watchCode(join(root, 'dist'), () => pool?.renew());
  pool = sparePool({ entry: fileURLToPath(new URL('./spare-main.js', import.meta.url)), count, generation: code.generation });
  const service = {
    pool, packageRoot: root, storeHome: store.layout.home, generation: code.generation, runsItself,
    onRun: (argv: readonly string[], outcome: string) => process.stderr.write(`ran      nomia ${argv.join(' ').slice(0, 200)} → ${outcome}\n`),
  };
  return {
    run: (socket: Parameters<typeof serveRun>[0], body: Record<string, unknown>) => serveRun(socket, body, service),
    close() {
      pool?.close();
      code.close();
    },
  };
}

/** The client's context: its working directory and environment, one time; no standard input (the client's is not here). */
function contextOf(req: DaemonRequest): RunContext {
  return {
    env: { ...(req.env ?? process.env) }, cwd: req.cwd ?? process.cwd(), now: Date.now(),
    stdin: () => {
      throw new NomiaError('usage', 'a name realized by the daemon cannot read standard input', { hint: 'realize it without --daemon' });
    },
  };
}

/** Realize one request: from a warm memo when nothing changed, else with the engine (which records the memo, then armed). */
function serve(store: Store, jobs: number): { realize: DaemonOptions['realize']; close(): void } {
  const warm = new WarmMemos(store);
  return {
    close: () => warm.close(),
    async realize(req, onEvent) {
      if (req.store !== undefined && req.store !== store.layout.home) {
        throw new NomiaError('usage', `this daemon serves the store ${store.layout.home}, not ${req.store}`, { hint: 'pass the daemon\'s --store, or start a daemon on your store' });
      }
      const started = Date.now();
      const emit = (e: EngineEvent) => onEvent?.(e);
      const context = contextOf(req);
      const sandbox = req.sandbox ?? 'bubblewrap';
      const key = realizeMemoKey(req.name, context.cwd, sandbox, process.env, [], context.env);
      const hot = key && warm.answer(key);
      if (hot) {
        emit({ kind: 'resolving', name: req.name });
        emit({ kind: 'done', roots: hot.map((r) => r.name), ms: Date.now() - started, ran: 0, reused: 1, memo: true });
        return hot;
      }
      const reg = registry(context.cwd, { sandbox });
      try {
        const { roots } = await realize(req.name, { store, registry: reg, context, jobs, source: req.name, onEvent: emit, ...(key ? { memo: key } : {}) });
        if (key) warm.arm(key);
        return roots;
      } finally {
        await reg.close();
      }
    },
  };
}

export function register(program: Command): void {
  program
    .command('daemon')
    .summary('serve realize requests on a Unix socket')
    .description('Listen on a Unix socket (mode 0600) and realize the names clients send, one JSON object per line (below). Optional request fields: "cwd", "env" (the caller\'s context), "sandbox", "store" (must be the daemon\'s), "events": true (stream {"id", "event"} lines first). A name realized before whose files are unchanged is answered from a warm memo, watched with inotify (docs/engine.md, "A warm engine"). `nomia realize --daemon SOCKET` (or NOMIA_DAEMON) is its client. With --spares N (default 1) it also keeps N spare CLI processes with the CLI loaded, which run whole command lines for the native client (`nomia`, the "run" op, docs/spec/protocol.md). Runs until SIGINT or SIGTERM. Builds reach their own daemon channel inside the sandbox (see `package`).')
    .option('--socket <path>', 'the socket path (default: <store>/daemon.sock)')
    .option('--allow <ids>', 'comma-separated namespace ids clients may use (default: all)')
    .option('-j, --jobs <n>', 'namespaces running at once per request', '2')
    .option('--spares <n>', 'spare CLI processes kept loaded for the native client\'s commands (0: none)', '1')
    .addHelpText('after', `
A request and its answer:
  {"id": 1, "op": "realize", "name": "…"}
  {"id": 1, "ok": true, "results": [{"name", "type", "path"}]}

Example:
  nomia daemon --socket /tmp/nomia.sock &
  nomia realize --daemon /tmp/nomia.sock -f build.nomia

Spare CLI processes (docs/engine.md, "Spare CLI processes"): with the daemon on the store's
default socket, \`nomia\` (the native client, built at npm ci when cc is here) hands each command
line to a spare Node process that has the CLI loaded, and prints its output:
  nomia daemon &                   # listens on <store>/daemon.sock, one spare waiting
  nomia ninja -C build             # run by the spare: no Node start, no module loading
  NOMIA_NO_DAEMON=1 nomia ninja    # the plain Node CLI, for comparison
  printf '%s\\n' '{"id":1,"op":"realize","name":"filesystem:by-content?sha256=…"}' | socat - UNIX-CONNECT:/tmp/nomia.sock`)
    .action((opts: Opts, cmd: Command) => run(() => ({
      go: () => withStore(cmd, async (store) => {
        const socketPath = opts.socket ?? join(store.layout.home, 'daemon.sock');
        const count = Number(opts.spares);
        if (!Number.isInteger(count) || count < 0) throw new NomiaError('usage', `--spares must be a count, not ${opts.spares}`, { hint: 'nomia daemon --spares 1 (or 0 for none)' });
        const server = serve(store, Math.max(1, Number(opts.jobs) || 2));
        const spares = spareService(store, count);
        const daemon = await startDaemon({
          socketPath,
          granted: opts.allow === undefined ? 'all' : opts.allow.split(',').map((s) => s.trim()).filter(Boolean),
          realize: server.realize,
          ...(spares ? { run: spares.run } : {}),
          onRequest: (name, outcome, detail) => process.stderr.write(`${outcome === 'ok' ? 'realized' : 'refused '} ${name.length > 200 ? `${name.slice(0, 200)}…` : name}${detail ? ` → ${detail}` : ''}\n`),
        });
        process.stderr.write(`nomia daemon listening on ${socketPath}\n`);
        await new Promise<void>((resolvePromise) => {
          const stop = () => resolvePromise();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        spares?.close();
        await daemon.close();
        server.close();
        return '';
      }),
    })));
}
