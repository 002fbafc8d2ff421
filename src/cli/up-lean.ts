/**
 * The second `nomia up` of a running service, answered before commander and
 * the command modules load (docs/namespaces/service.md, "The second up"):
 * main.ts calls `upFromMemo` first for a command line it recognises here —
 * `up` with a NAME, `-` or `-f FILE`, and only `--store`, `--root`,
 * `--json` and `--log-format`. The memo of `up` (up-memo.ts) names the
 * service; one question to the supervisor holds it if it runs and is ready.
 * Anything else, and every miss, is left to the full command (cmd-up.ts),
 * which starts or joins the service; errors are its to report, so none is
 * reported here. Like realize-lean.ts for `nomia realize`.
 *
 * It also starts the supervisor ahead of need (if none answers), so that
 * on a miss its start-up overlaps the full command's loading.
 */
import { existsSync } from 'node:fs';
import { askIfRunning, startSupervisor } from '../namespaces/service/client.js';
import type { ServiceInfo } from '../namespaces/service/protocol.js';
import { traceOrigin } from '../namespaces/service/trace.js';
import { checkRootName } from '../store/root-name.js';
import { layoutOf, storeHome } from '../store/layout.js';
import { fileOrArgument } from './input.js';
import { leanArgv } from './lean-argv.js';
import { parseLogFormat } from './options.js';
import { readUpMemo, upMemoKey } from './up-memo.js';

/** An `nomia up` command line this path can answer, taken apart. */
export interface LeanUp {
  readonly store: string | undefined;
  readonly file: string | undefined;
  readonly name: string | undefined;
  readonly root: string | undefined;
  readonly json: boolean;
}

/** Options with a value, by every spelling, and where the value goes. */
const valued: Readonly<Record<string, string>> = { '--store': 'store', '-f': 'file', '--file': 'file', '--root': 'root', '--log-format': 'logFormat' };

/** `argv` (without node and script) as an `up` this path may answer; undefined for anything else (another command, help, a value the full command refuses). */
export function leanUp(argv: readonly string[]): LeanUp | undefined {
  const taken = leanArgv(argv, valued);
  if (!taken) return undefined;
  const { one, positional, json } = taken;
  if (positional[0] !== 'up' || positional.length > 2 || (positional[1] === undefined) === (one['file'] === undefined)) return undefined;
  try {
    if (one['logFormat'] !== undefined) parseLogFormat(one['logFormat']);
    if (one['root'] !== undefined) checkRootName(one['root']);
  } catch {
    return undefined;
  }
  return { store: one['store'], file: one['file'], name: positional[1], root: one['root'], json };
}

/** Start the supervisor of the store at `home` ahead of need, if the store exists: one that does not is made by the command, not by both at once. */
export function startSupervisorSoon(home: string): void {
  if (existsSync(layoutOf(home).dbPath)) startSupervisor(home);
}

/** What `nomia up` prints for `service` held under `root` (default: its label). */
export function upAnswer(service: ServiceInfo, root: string | undefined, json: boolean): string {
  const named = root ?? service.label;
  if (json) return JSON.stringify({ root: named, id: service.id, endpoint: service.endpoint, pid: service.pid });
  return `${named}: ${service.label} ready${service.endpoint ? ` at ${service.endpoint}` : ''} (pid ${service.pid})`;
}

/** Hold the service memoized under `key` if it runs and is ready; undefined otherwise (the full path starts it). */
export async function holdMemoized(home: string, key: string, root: string | undefined): Promise<ServiceInfo | undefined> {
  const id = readUpMemo(home, key);
  if (id === undefined) return undefined;
  try {
    return (await askIfRunning(home, { op: 'hold', id, ifReady: true, ...(root === undefined ? {} : { root }) }))?.service;
  } catch (e) {
    // Not running (stopped, or never ready): the full path starts it. Any other error is the supervisor's, and real.
    if (e instanceof Error && (e as { code?: string }).code === 'service/not-found') return undefined;
    throw e;
  }
}

/**
 * Answer `argv` from the memo of `up`: the exit status once answered, or undefined when the full command must run.
 * The store's supervisor is started meanwhile if none runs: its start-up, a Node process loading the store, then
 * overlaps the full command's. A command line the full command refuses leaves it idle; it exits 2 s later.
 */
export async function upFromMemo(argv: readonly string[]): Promise<number | undefined> {
  traceOrigin('cli: command line read');
  const req = leanUp(argv);
  if (!req) return undefined;
  try {
    const input = fileOrArgument(req.file, req.name);
    const home = storeHome(req.store);
    // After the input is read: starting the supervisor closes what this process inherited, a `-f <(…)` pipe too.
    startSupervisorSoon(home);
    const key = upMemoKey(input.text, home, input.dir ?? process.cwd());
    const held = key === undefined ? undefined : await holdMemoized(home, key, req.root);
    if (held === undefined) return undefined;
    process.stdout.write(`${upAnswer(held, req.root, req.json)}\n`);
    return 0;
  } catch {
    return undefined;
  }
}
