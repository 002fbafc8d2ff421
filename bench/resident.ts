/**
 * What bench/cc and bench/service need to measure commands through the
 * native client with `nomia daemon` running (docs/engine.md, "Spare CLI
 * processes"): the daemon on a store, the client's path, and CPU time of
 * processes that are not this one's waited-for children (the spare that runs
 * the command is the daemon's child), from /proc in 10 ms ticks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${root}bin/nomia.js`;
/** The native client, built here first (client/build.sh), or undefined without a C compiler. */
export function nativeClient(): string | undefined {
  spawnSync('sh', [`${root}client/build.sh`], { stdio: 'inherit' });
  const path = `${root}client/nomia-client`;
  return existsSync(path) ? path : undefined;
}

/** User + system CPU ms of process `pid` and of its children it has waited for (fields 14–17 of /proc/PID/stat). */
export function cpuWithChildren(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) * 10;
}

export interface ResidentDaemon {
  /** CPU ms of the daemon and the spares it reaped so far (a spare's load counts once it has run its command). */
  cpu(): number;
  stop(): Promise<void>;
}

/** `nomia daemon` on `store` (its default socket, where the client looks), once it listens. */
export async function startResidentDaemon(store: string, env: NodeJS.ProcessEnv, cwd: string): Promise<ResidentDaemon> {
  const child = spawn(process.execPath, [bin, '--store', store, 'daemon'], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolveStarted, reject) => {
    let said = '';
    child.stderr!.on('data', (c: Buffer) => {
      said += c.toString();
      if (said.includes('listening')) resolveStarted();
    });
    child.once('exit', () => reject(new Error(`nomia daemon exited: ${said}`)));
  });
  child.stderr!.resume();
  return {
    cpu: () => cpuWithChildren(child.pid!),
    stop: () => new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    }),
  };
}
