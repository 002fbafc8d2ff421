/**
 * One supervised process: started in a process group of its own (so
 * whatever it forks ends with it), its output appended to its log file,
 * polled for readiness with back-off, restarted after a crash per its
 * policy (with back-off, reset once it has run a while), and stopped with
 * SIGTERM, then SIGKILL after a grace period. It does not die with the
 * supervisor: a supervisor that was killed leaves its services running, and
 * the next one adopts them (`adopt`, by pid and start time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NomiaError } from '../../namespace/index.js';
import { adoptedHandle, childHandle, type Exit, exitText, type ProcessHandle, running } from './process-handle.js';
import { nextProbeWait, PROBE_FIRST_MS, probeOnce, probeText, tcpAccepts, unixAccepts } from './probe.js';
import { sandboxArgs } from './sandbox.js';
import type { ServiceSpec } from './spec.js';
import { trace } from './trace.js';

export type ServiceState = 'starting' | 'ready' | 'restarting' | 'exited' | 'stopping';

/** Between SIGTERM and SIGKILL on stop. */
const GRACE_MS = 3000;
/** First and longest wait before a restart; a process that ran this long starts over at the first. */
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5000;
const STABLE_MS = 10_000;

/** What a supervisor that dies leaves for the next one to adopt (supervisor.ts saves it). */
export interface SavedProcess {
  readonly pid: number;
  readonly start: number;
  readonly startedAt: number;
  readonly restarts: number;
  readonly lastExit: string | undefined;
  readonly ready: boolean;
}

export class ServiceProcess {
  state: ServiceState = 'starting';
  /** Unix ms of the current process's start. */
  startedAt = 0;
  restarts = 0;
  lastExit: string | undefined;
  private current: ProcessHandle | undefined;
  private stopping = false;
  private restartDelay = RESTART_FIRST_MS;
  readonly logPath: string;
  private readonly work: string;
  private readonly dir: string;

  /**
   * `dir`: the service's own directory (log, working directory); `onEnd`: it has ended for good (not a restart);
   * `onProcess`: another process runs it now (a start or restart), or none does.
   */
  constructor(readonly spec: ServiceSpec, dir: string, private readonly onEnd: () => void, private readonly onProcess: (h: ProcessHandle | undefined) => void) {
    this.dir = dir;
    this.logPath = join(dir, 'log');
    this.work = join(dir, 'work');
    mkdirSync(this.work, { recursive: true });
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** What the next supervisor needs to adopt it; undefined while no process runs it. */
  saved(): SavedProcess | undefined {
    const h = this.current;
    if (!h || !running(h) || this.state === 'stopping' || this.state === 'exited') return undefined;
    return { pid: h.pid, start: h.start, startedAt: this.startedAt, restarts: this.restarts, lastExit: this.lastExit, ready: this.state === 'ready' };
  }

  /** Start and wait until ready. Rejects with a typed error (nothing left running) when it cannot. */
  async start(): Promise<void> {
    await this.checkFree();
    await this.launch();
  }

  /** Refuse a probe's port or socket someone else holds: it would answer for a server that cannot bind it. */
  async checkFree(): Promise<void> {
    const { ready } = this.spec;
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
    trace(`supervisor: ${this.spec.label} port checked`);
  }

  /** Spawn it (its port checked) and wait until ready; on failure nothing of it is left running. */
  async launch(): Promise<void> {
    try {
      await this.awaitReady(await this.spawnOnce());
    } catch (e) {
      this.state = 'exited';
      throw e;
    }
  }

  /**
   * Take over the process a supervisor that died left running (same pid and start time, so never a
   * recycled pid): watched from now on. One that has ended meanwhile is restarted per its policy.
   */
  adopt(saved: SavedProcess): void {
    this.startedAt = saved.startedAt;
    this.restarts = saved.restarts;
    this.lastExit = saved.lastExit;
    const h = adoptedHandle(saved.pid, saved.start);
    appendFileSync(this.logPath, `--- nomia: ${h ? 'adopted' : 'found ended'} pid ${saved.pid} at ${new Date().toISOString()} (its supervisor had died)\n`);
    if (!h) {
      const gone: Exit = { unknown: true };
      this.current = { pid: saved.pid, start: saved.start, exit: gone, ended: Promise.resolve(gone) };
      this.state = 'ready';
      this.ended(this.current, gone);
      return;
    }
    this.watch(h);
    if (saved.ready) this.state = 'ready';
    // It was still starting: it is ready when its probe says so, or it is ended and restarted as a crash would be.
    else void this.awaitReady(h).catch(() => this.ended(h, { unknown: true }));
  }

  private async spawnOnce(): Promise<ProcessHandle> {
    // Our own socket is left behind by a process that was killed; a server cannot bind while the file is there.
    if (this.spec.socket) rmSync(this.spec.socket, { force: true });
    trace(`supervisor: ${this.spec.label} spawning`);
    // One open of the log for its line and the process's output.
    const fd = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      writeSync(fd, `--- nomia: starting ${this.spec.argv.join(' ')} at ${new Date().toISOString()}\n`);
      trace(`supervisor: ${this.spec.label} fork`);
      const { spec } = this;
      const env = { HOME: this.work, ...spec.env };
      child = spec.sandbox
        ? spawn('bwrap', sandboxArgs(spec.sandbox, this.dir, this.work, env, spec.program, spec.argv), { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, cwd: this.work, detached: true, stdio: ['ignore', fd, fd] })
        : spawn(spec.program, spec.argv.slice(1), { argv0: spec.argv[0]!, env, cwd: this.work, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    trace(`supervisor: ${this.spec.label} forked`);
    const cannot = (e: Error) => appendFileSync(this.logPath, `--- nomia: cannot start: ${e.message}\n`);
    let h: ProcessHandle;
    if (child.pid === undefined) {
      // A spawn that fails has no pid and says why only on the next tick: that is written before its end (status
      // 127, as a program that exits at once), so the log reads in the order it happened and the error quotes it.
      const [e] = (await once(child, 'error')) as [Error];
      cannot(e);
      h = { pid: 0, start: 0, exit: { status: 127 }, ended: Promise.resolve({ status: 127 }) };
    } else {
      child.once('error', cannot);
      h = childHandle(child as ChildProcess & { pid: number });
    }
    trace(`supervisor: ${this.spec.label} spawned`);
    this.startedAt = Date.now();
    this.watch(h);
    return h;
  }

  private watch(h: ProcessHandle): void {
    this.current = h;
    // Rooting the closure on the new process and saving the table are for after a supervisor's death: off the path
    // of the readiness probe, which would otherwise wait for two SQLite writes and a file rename.
    if (h.pid) setImmediate(() => { if (this.current === h && running(h)) this.onProcess(h); });
    void h.ended.then((exit) => {
      if (h.pid) killGroup(h.pid, 'SIGKILL');
      appendFileSync(this.logPath, `--- nomia: ${exitText(exit)} at ${new Date().toISOString()}\n`);
      if (this.current === h) this.onProcess(undefined);
      this.ended(h, exit);
    });
  }

  /** Wait for readiness of the process `h`; on failure its group is ended and the error thrown. */
  private async awaitReady(h: ProcessHandle): Promise<void> {
    const deadline = Date.now() + this.spec.readyTimeoutMs;
    let wait = PROBE_FIRST_MS;
    for (;;) {
      if (h.exit) throw this.failure('service/exited', `exited at once (${exitText(h.exit)}) before it was ready`);
      if (this.stopping) throw new NomiaError('service/failed', `service ${this.spec.label} was stopped before it was ready`);
      trace(`supervisor: ${this.spec.label} probe attempt`);
      const ok = await probeOnce(this.spec.ready, { HOME: this.work, ...this.spec.env }, this.work);
      trace(`supervisor: ${this.spec.label} probe ${ok ? 'passed' : 'failed'}`);
      if (ok) {
        // A probe of "started" passes at once: give a process that cannot start a moment to say so.
        if (this.spec.ready.kind === 'started') await sleep(100);
        if (h.exit) continue;
        if (this.current === h) this.state = 'ready';
        appendFileSync(this.logPath, `--- nomia: ready at ${new Date().toISOString()}\n`);
        return;
      }
      if (Date.now() >= deadline) {
        await this.endGroup(h);
        throw this.failure('service/not-ready', `did not become ready (${probeText(this.spec.ready)}) within ${this.spec.readyTimeoutMs / 1000} s`,
          'check the probe and the port in its args; raise ready-timeout= if it starts slowly');
      }
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      wait = nextProbeWait(wait, this.spec.ready);
    }
  }

  private failure(code: 'service/exited' | 'service/not-ready', what: string, hint?: string): NomiaError {
    const tail = lastLines(this.logPath, 10);
    const said = tail.length ? `; the end of its log:\n  ${tail.join('\n  ')}` : '; it wrote nothing to its log';
    return new NomiaError(code, `service ${this.spec.label} ${what}${said}`,
      { hint: hint ?? `its whole log: ${this.logPath}` });
  }

  /** The process ended: restart it per the policy, or report the end. */
  private ended(h: ProcessHandle, exit: Exit): void {
    if (h !== this.current || this.stopping || this.state === 'starting' || this.state === 'restarting') return;
    this.lastExit = exitText(exit);
    // An end no one saw (while no supervisor ran) counts as a failure: nothing says it was clean.
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
        await this.awaitReady(await this.spawnOnce());
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
    if (this.current) await this.endGroup(this.current);
    // A socket file of ours outliving the service would look like a server that refuses, not one that is gone.
    if (this.spec.socket) rmSync(this.spec.socket, { force: true });
    this.state = 'exited';
  }

  private async endGroup(h: ProcessHandle): Promise<void> {
    if (!h.pid || h.exit) return;
    killGroup(h.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(h.pid, 'SIGKILL'), GRACE_MS);
    await h.ended;
    clearTimeout(timer);
    killGroup(h.pid, 'SIGKILL');
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
