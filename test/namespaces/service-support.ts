/** Shared set-up of the service tests: a store with busybox, free ports, names of services, and the clean-up of everything they start. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInfo } from '../../src/namespaces/service/protocol.js';
import { processAlive, processStat } from '../../src/store/process.js';
import { nomia, type Run, tempDir } from '../support/cli.js';

export { freePort } from '../support/nginx.js';

export interface Rig {
  readonly dir: string;
  readonly store: string;
  /** The bootstrap tools' by-content name (busybox is `$tools/bin/busybox`). */
  readonly tools: string;
  run(args: string[], timeout?: number): Run;
  /** Add a directory of `files` (path → text; a path ending in `*` is made executable, without the star). */
  addDir(name: string, files: Record<string, string>): string;
  status(): ServiceInfo[];
  /** Stop every service, then the supervisor: nothing a test started outlives it. */
  cleanUp(): Promise<void>;
}

export function rig(prefix: string): Rig {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  const run = (args: string[], timeout = 60_000) => nomia(store, args, { cwd: dir, env: { NOMIA_FSYNC: '0' }, timeout });
  const boot = run(['bootstrap-tools']);
  if (boot.code !== 0) throw new Error(`bootstrap-tools failed: ${boot.err}`);
  return {
    dir, store, tools: boot.out.trim(), run,
    addDir(name, files) {
      const root = join(dir, name);
      for (const [p, text] of Object.entries(files)) {
        const path = join(root, p.replace(/\*$/, ''));
        mkdirSync(join(path, '..'), { recursive: true });
        writeFileSync(path, text);
        if (p.endsWith('*')) chmodSync(path, 0o755);
      }
      const r = run(['add', '--name', name, root]);
      if (r.code !== 0) throw new Error(`add failed: ${r.err}`);
      return r.out.trim();
    },
    status() {
      const r = run(['status', '--json']);
      if (r.code !== 0) throw new Error(`status failed: ${r.err}`);
      return JSON.parse(r.out) as ServiceInfo[];
    },
    async cleanUp() {
      const pids = (() => {
        try {
          return this.status().map((s) => s.pid).filter((p): p is number => p !== undefined);
        } catch {
          return [];
        }
      })();
      run(['down', '--all']);
      const pidFile = join(store, 'services', 'supervisor.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        kill(pid, 'SIGTERM');
        for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
        kill(pid, 'SIGKILL');
      }
      for (const pid of pids) kill(-pid, 'SIGKILL');
    },
  };
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone.
  }
}

/** Whether `pid` runs; a zombie has ended, as for the supervisor (`processAlive`). */
export function alive(pid: number): boolean {
  const stat = processStat(pid);
  return stat !== undefined && processAlive(pid, stat.start);
}

/** Whether 127.0.0.1:port accepts a connection now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** GET http://127.0.0.1:port/path once: status and body, or the error's code. */
export async function get(port: number, path = '/'): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { error: String((e as { cause?: { code?: string } }).cause?.code ?? e) };
  }
}

/** busybox httpd serving `$dir` on `port`, ready when it answers HTTP. */
export function httpd(r: Rig, port: number, dir: string, extra = '', inputs = ''): string {
  return `service:process?args=[httpd, -f, -p, "127.0.0.1:${port}", -h, $dir]&ready="http://127.0.0.1:${port}/"${extra}(exe: ${r.tools}/bin/busybox, dir: ${dir}${inputs})`;
}

/**
 * When the supervisor last spawned the service whose log is `log` and when its probe last passed (Unix ms,
 * from the lines it writes there): the order services really started in, whatever the CLI printed.
 */
export function startedAndReady(log: string): { started: number; ready: number } {
  const last = (re: RegExp) => Date.parse([...readFileSync(log, 'utf8').matchAll(re)].at(-1)?.[1] ?? 'none');
  return { started: last(/^--- nomia: starting .* at (\S+)$/gm), ready: last(/^--- nomia: ready at (\S+)$/gm) };
}

/** Poll `f` until it is true or `ms` have passed. */
export async function until(f: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await sleep(50);
  }
  return f();
}
