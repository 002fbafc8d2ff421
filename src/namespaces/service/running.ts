/**
 * One supervised process: started in a process group of its own (so
 * whatever it forks ends with it), its output appended to its log file,
 * polled for readiness with back-off, restarted after a crash per its
 * policy (with back-off, reset once it has run a while), and stopped with
 * SIGTERM, then SIGKILL after a grace period. Should the supervisor die
 * without stopping it, the group watchdog kills the group: a service never
 * outlives the roots that keep its closure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NomiaError } from '../../namespace/index.js';
import { watchGroup } from '../group-watchdog.js';
import { probeOnce, probeText, tcpAccepts, unixAccepts } from './probe.js';
import type { ServiceSpec } from './spec.js';

export type ServiceState = 'starting' | 'ready' | 'restarting' | 'exited' | 'stopping';

/** Between SIGTERM and SIGKILL on stop. */
const GRACE_MS = 3000;
/** First and longest wait between readiness attempts. */
const PROBE_FIRST_MS = 10;
const PROBE_MAX_MS = 250;
/** First and longest wait before a restart; a process that ran this long starts over at the first. */
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5000;
const STABLE_MS = 10_000;

type Exit = { readonly status: number } | { readonly signal: string };

function exitText(exit: Exit): string {
  return 'status' in exit ? `exited with status ${exit.status}` : `was killed by ${exit.signal}`;
}

export class ServiceProcess {
  state: ServiceState = 'starting';
  /** Unix ms of the current process's start. */
  startedAt = 0;
  restarts = 0;
  lastExit: string | undefined;
  private child: ChildProcess | undefined;
  private exit: Exit | undefined;
  private stopping = false;
  private restartDelay = RESTART_FIRST_MS;
  readonly logPath: string;
  private readonly work: string;

  /** `dir`: the service's own directory (log, working directory); `onEnd`: it has ended for good (not a restart). */
  constructor(readonly spec: ServiceSpec, dir: string, private readonly onEnd: () => void) {
    this.logPath = join(dir, 'log');
    this.work = join(dir, 'work');
    mkdirSync(this.work, { recursive: true });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start and wait until ready. Rejects with a typed error (nothing left running) when it cannot. */
  async start(): Promise<void> {
    const { ready } = this.spec;
    // A port someone else holds would answer the probe for a server that cannot bind it.
    if ((ready.kind === 'tcp' || ready.kind === 'http') && (await tcpAccepts(ready.host, ready.port))) {
      throw new NomiaError('service/port-taken', `service ${this.spec.label}: ${ready.host}:${ready.port} is already in use by another process`, {
        hint: `stop what listens there (\`ss -ltnp 'sport = :${ready.port}'\` shows it) or give the service another port`,
      });
    }
    if (ready.kind === 'unix' && ready.path !== this.spec.socket && (await unixAccepts(ready.path))) {
      throw new NomiaError('service/port-taken', `service ${this.spec.label}: the Unix socket ${ready.path} is already in use by another process`, {
        hint: `stop what listens there (\`ss -lxp src ${ready.path}\` shows it) or give the service another socket path`,
      });
    }
    try {
      await this.runOnce();
    } catch (e) {
      this.state = 'exited';
      throw e;
    }
  }

  private spawnOnce(): ChildProcess {
    this.exit = undefined;
    // Our own socket is left behind by a process that was killed; a server cannot bind while the file is there.
    if (this.spec.socket) rmSync(this.spec.socket, { force: true });
    appendFileSync(this.logPath, `--- nomia: starting ${this.spec.argv.join(' ')} at ${new Date().toISOString()}\n`);
    const fd = openSync(this.logPath, 'a');
    try {
      const child = spawn(this.spec.program, this.spec.argv.slice(1), {
        argv0: this.spec.argv[0]!, env: { HOME: this.work, ...this.spec.env }, cwd: this.work, detached: true, stdio: ['ignore', fd, fd],
      });
      const watch = child.pid === undefined ? undefined : watchGroup(child.pid);
      this.startedAt = Date.now();
      this.child = child;
      child.once('error', (e) => {
        appendFileSync(this.logPath, `--- nomia: cannot start: ${e.message}\n`);
        this.exit = { status: 127 };
        this.ended(child, this.exit);
      });
      child.once('exit', (code, sig) => {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        watch?.unwatch();
        this.exit = sig ? { signal: sig } : { status: code ?? 1 };
        appendFileSync(this.logPath, `--- nomia: ${exitText(this.exit)} at ${new Date().toISOString()}\n`);
        this.ended(child, this.exit);
      });
      return child;
    } finally {
      closeSync(fd);
    }
  }

  /** Spawn and wait for readiness; on failure the group is ended and the error thrown. */
  private async runOnce(): Promise<void> {
    const child = this.spawnOnce();
    const deadline = Date.now() + this.spec.readyTimeoutMs;
    let wait = PROBE_FIRST_MS;
    for (;;) {
      if (this.exit) throw this.failure('service/exited', `exited at once (${exitText(this.exit)}) before it was ready`);
      if (this.stopping) throw new NomiaError('service/failed', `service ${this.spec.label} was stopped before it was ready`);
      if (await probeOnce(this.spec.ready, { HOME: this.work, ...this.spec.env }, this.work)) {
        // A probe of "started" passes at once: give a process that cannot start a moment to say so.
        if (this.spec.ready.kind === 'started') await sleep(100);
        if (this.exit) continue;
        if (this.child === child) this.state = 'ready';
        return;
      }
      if (Date.now() >= deadline) {
        await this.endGroup(child);
        throw this.failure('service/not-ready', `did not become ready (${probeText(this.spec.ready)}) within ${this.spec.readyTimeoutMs / 1000} s`,
          'check the probe and the port in its args; raise ready-timeout= if it starts slowly');
      }
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      wait = Math.min(wait * 1.5, PROBE_MAX_MS);
    }
  }

  private failure(code: 'service/exited' | 'service/not-ready', what: string, hint?: string): NomiaError {
    const tail = lastLines(this.logPath, 10);
    return new NomiaError(code, `service ${this.spec.label} ${what}${tail ? `; the end of its log:\n  ${tail.join('\n  ')}` : ''}`,
      { hint: hint ?? `its whole log: ${this.logPath}` });
  }

  /** The process ended: restart it per the policy, or report the end. */
  private ended(child: ChildProcess, exit: Exit): void {
    if (child !== this.child || this.stopping || this.state === 'starting' || this.state === 'restarting') return;
    this.lastExit = exitText(exit);
    const failed = !('status' in exit) || exit.status !== 0;
    if (this.spec.restart === 'always' || (this.spec.restart === 'on-failure' && failed)) {
      void this.restart();
      return;
    }
    this.state = 'exited';
    this.onEnd();
  }

  private async restart(): Promise<void> {
    if (Date.now() - this.startedAt > STABLE_MS) this.restartDelay = RESTART_FIRST_MS;
    this.state = 'restarting';
    for (;;) {
      await sleep(this.restartDelay);
      this.restartDelay = Math.min(this.restartDelay * 2, RESTART_MAX_MS);
      if (this.stopping) return;
      this.restarts++;
      try {
        await this.runOnce();
        return;
      } catch (e) {
        if (this.stopping) return;
        appendFileSync(this.logPath, `--- nomia: restart failed: ${(e as Error).message.split('\n')[0]}\n`);
      }
    }
  }

  /** Stop it (SIGTERM, then SIGKILL after the grace period); resolves when the group has ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state = 'stopping';
    if (this.child) await this.endGroup(this.child);
    // A socket file of ours outliving the service would look like a server that refuses, not one that is gone.
    if (this.spec.socket) rmSync(this.spec.socket, { force: true });
    this.state = 'exited';
  }

  private async endGroup(child: ChildProcess): Promise<void> {
    if (child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), GRACE_MS);
    await exited;
    clearTimeout(timer);
    killGroup(child.pid, 'SIGKILL');
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // The group has ended already.
  }
}

/** The last `n` lines of a log the service wrote (not the supervisor's own lines). */
export function lastLines(path: string, n: number): string[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l && (!l.startsWith('--- nomia: ') || l.startsWith('--- nomia: cannot start')));
  return lines.slice(-n);
}
