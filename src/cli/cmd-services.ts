/** `nomia status`, `nomia logs R`, `nomia down R`: the services running under the store's supervisor. */
import { createReadStream, existsSync, statSync, watchFile, unwatchFile } from 'node:fs';
import type { Command } from 'commander';
import { NomiaError } from '../errors.js';
import { askIfRunning } from '../namespaces/service/client.js';
import type { ServiceInfo } from '../namespaces/service/protocol.js';
import { storeHome } from '../store/layout.js';
import { run } from './run.js';

const homeOf = (cmd: Command) => storeHome((cmd.optsWithGlobals() as { store?: string }).store);

async function services(cmd: Command): Promise<readonly ServiceInfo[]> {
  return (await askIfRunning(homeOf(cmd), { op: 'status' }))?.services ?? [];
}

function uptime(s: number): string {
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/** Its roots; for a service that runs because others need it, theirs as `via R` (systemd's "required by"); else `-`. */
function rootText(s: ServiceInfo): string {
  // `via` is absent in the answer of a supervisor started by an older nomia.
  const via = s.via ?? [];
  return s.roots.join(',') || (via.length ? `via ${via.join(',')}` : '-');
}

function table(list: readonly ServiceInfo[]): string {
  if (list.length === 0) return 'no services are running';
  const rows = [['ROOT', 'SERVICE', 'ENDPOINT', 'PID', 'UPTIME', 'STATE', 'RESTARTS'],
    ...list.map((s) => [rootText(s), s.label, s.endpoint || '-', String(s.pid ?? '-'), uptime(s.uptime), s.state, String(s.restarts)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * Print the log; with `follow`, keep printing what is appended until ^C, SIGTERM, or `running` says the
 * service is gone (`nomia down`, or it ended for good), as `docker logs -f` ends with its container: its
 * root then names nothing, so following on would wait forever for a file nothing writes.
 */
function printLog(path: string, follow: boolean, running: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve) => {
    let at = 0;
    const more = (then?: () => void) => {
      const size = existsSync(path) ? statSync(path).size : 0;
      if (size <= at) return then?.();
      const s = createReadStream(path, { start: at, end: size - 1 });
      at = size;
      s.on('data', (c) => process.stdout.write(c));
      s.on('end', () => then?.());
    };
    if (!follow) return more(resolve);
    more();
    watchFile(path, { interval: 200 }, () => more());
    // A question that fails (a supervisor restarting) is no answer: the next one decides.
    const check = setInterval(() => void running().then((yes) => yes || stop(), () => undefined), 1000);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(check);
      unwatchFile(path);
      more(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('status')
    .summary('list the running services: roots, endpoints, pids, uptime, readiness')
    .description('List the services running under this store\'s supervisor (started by `nomia up`): each one\'s roots, endpoint, pid, uptime, state (starting, ready, restarting, exited, stopping) and restarts. See docs/namespaces/service.md.')
    .option('--json', 'print them as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => run(() => ({
      go: async () => {
        const list = await services(cmd);
        return opts.json ? JSON.stringify(list, null, 2) : table(list);
      },
    })));
  program
    .command('logs')
    .summary('print the log of the service a root names')
    .description('Print what the running service that ROOT names has written (its standard output and error, kept by the supervisor in services/<id>/log under the store); with -f, keep printing what it writes.')
    .argument('<root>', 'the root given to `nomia up --root`')
    .option('-f, --follow', 'keep printing what it writes, until ^C or the service stops (`nomia down`)')
    .action((root: string, opts: { follow?: boolean }, cmd: Command) => run(() => ({
      go: async () => {
        const found = (await services(cmd)).find((s) => s.roots.includes(root));
        if (!found) throw new NomiaError('service/not-found', `no running service has the root ${root}`, { hint: '`nomia status` lists the running services and their roots' });
        await printLog(found.log, opts.follow === true, async () => (await services(cmd)).some((s) => s.log === found.log));
      },
    })));
  program
    .command('down')
    .summary('stop the service a root names, and what it needed that nothing else needs')
    .description('Stop the service that ROOT names (as given to `nomia up --root`), then the services it needed that no other running service needs; from then on gc may collect their closures. With --all, stop every service of the store.')
    .argument('[root]', 'the root given to `nomia up --root`')
    .option('--all', 'stop every service of the store')
    .action((root: string | undefined, opts: { all?: boolean }, cmd: Command) => run(() => ({
      go: async () => {
        if (!opts.all && root === undefined) throw new NomiaError('usage', 'nomia down needs a root (or --all)', { hint: '`nomia status` lists the roots' });
        const res = await askIfRunning(homeOf(cmd), { op: 'down', ...(opts.all ? { all: true } : { root: root! }) });
        if (!res && !opts.all) throw new NomiaError('service/not-found', `no running service has the root ${root}`, { hint: '`nomia status` lists the running services and their roots' });
        const stopped = res?.stopped ?? [];
        return stopped.length ? stopped.map((l) => `stopped ${l}`).join('\n') : undefined;
      },
    })));
}
