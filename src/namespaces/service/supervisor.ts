/**
 * The table of running services of one store, and who holds each: a root
 * (`nomia up --root R`), a process that realized it (until that process
 * exits), or a dependent service. A service nothing holds any more is
 * stopped, and then what it needed is let go of in turn: stopping goes in
 * reverse order of starting.
 *
 * Liveness as persistence (DESIGN.md §6): while a service is supervised, a
 * root conditional on the supervisor's process keeps each store object it
 * uses (`service/<id>/<n>`), and gc keeps what they refer to. The roots go
 * when the service ends for good; should the supervisor die, they end with
 * it (and the group watchdog ends the services).
 */
import { join } from 'node:path';
import { addRoot, NomiaError, removeRoot, type Store } from '../../namespace/index.js';
import type { ServiceInfo } from './protocol.js';
import { ServiceProcess } from './running.js';
import type { ServiceSpec } from './spec.js';

interface Entry {
  readonly proc: ServiceProcess;
  readonly holders: Set<string>;
  /** Settles when the first start has: ready, or failed. */
  readonly started: Promise<void>;
}

/** A holder for a process that realized a service: let go of when that process has exited. */
export const processHolder = (pid: number) => `pid:${pid}`;
const rootHolder = (root: string) => `root:${root}`;
const depHolder = (id: string) => `dep:${id}`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Supervisor {
  private readonly services = new Map<string, Entry>();

  constructor(private readonly store: Store, private readonly dir: string) {}

  get size(): number {
    return this.services.size;
  }

  /** Start `spec` (or join it if it runs) for `holder`; resolves once it is ready. */
  async start(spec: ServiceSpec, holder: string): Promise<ServiceInfo> {
    const running = this.services.get(spec.id);
    if (running && running.proc.state !== 'exited') {
      running.holders.add(holder);
      await running.started;
      return this.info(spec.id, running);
    }
    if (running) await this.stopEntry(spec.id);
    for (const dep of spec.deps) {
      const d = this.services.get(dep.id);
      if (!d || d.proc.state === 'exited' || d.proc.state === 'stopping') {
        throw new NomiaError('service/dependency', `service ${spec.label} needs \`${dep.port}\` (service ${d?.proc.spec.label ?? dep.id}), which is not running${d?.proc.lastExit ? `: it ${d.proc.lastExit}` : ''}`, {
          hint: `start it again: nomia up NAME (\`nomia logs\` of it says why it ended)`,
        });
      }
    }
    const proc = new ServiceProcess(spec, join(this.dir, spec.id), () => this.dropRoots(spec));
    let settle!: (ok: boolean) => void;
    const started = new Promise<void>((resolve, reject) => {
      settle = (ok) => (ok ? resolve() : reject(new NomiaError('service/failed', `service ${spec.label} failed to start`)));
    });
    started.catch(() => undefined);
    const entry: Entry = { proc, holders: new Set([holder]), started };
    this.services.set(spec.id, entry);
    for (const dep of spec.deps) this.services.get(dep.id)!.holders.add(depHolder(spec.id));
    try {
      this.addRoots(spec);
      await proc.start();
      settle(true);
      return this.info(spec.id, entry);
    } catch (e) {
      settle(false);
      // Whoever joined meanwhile has its answer; what this one held for its start is let go of.
      this.services.delete(spec.id);
      this.dropRoots(spec);
      await this.release(spec.deps.map((d) => d.id), depHolder(spec.id));
      throw e;
    }
  }

  /** Name the running service `id` by `root`; a root names one service, so it leaves any other. */
  async hold(id: string, root: string): Promise<ServiceInfo> {
    const entry = this.services.get(id);
    if (!entry) throw new NomiaError('service/not-found', `no service ${id} is running`, { hint: 'start it: nomia up --root R NAME' });
    entry.holders.add(rootHolder(root));
    await this.release([...this.services.keys()].filter((other) => other !== id), rootHolder(root));
    return this.info(id, entry);
  }

  /** Let go of `root` (every root with `all`): stops what nothing holds any more. Returns the labels stopped, in order. */
  async down(root: string | undefined, all = false): Promise<string[]> {
    // A process that held a service and has exited since the last tick holds nothing: without this, a
    // `down` of the last root right after an `up` left the service running until the next tick.
    await this.prune();
    const ids = [...this.services.entries()].filter(([, e]) => all || e.holders.has(rootHolder(root!))).map(([id]) => id);
    if (!all && ids.length === 0) {
      throw new NomiaError('service/not-found', `no running service has the root ${root}`, { hint: '`nomia status` lists the running services and their roots' });
    }
    const stopped: string[] = [];
    if (all) {
      for (const id of ids) for (const h of [...this.services.get(id)?.holders ?? []]) if (!h.startsWith('dep:')) this.services.get(id)!.holders.delete(h);
      // Dependents first: a service no other service needs goes first, then what it needed.
      for (const id of ids) if (this.services.get(id)?.holders.size === 0) stopped.push(...await this.stopEntry(id));
      return stopped;
    }
    return this.release(ids, rootHolder(root!));
  }

  /** Let go of the holders that are processes which have exited. */
  async prune(): Promise<void> {
    for (const [id, e] of [...this.services]) {
      const dead = [...e.holders].filter((h) => h.startsWith('pid:') && !processAlive(Number(h.slice(4))));
      if (dead.length) for (const h of dead) await this.release([id], h);
    }
  }

  status(): ServiceInfo[] {
    return [...this.services].map(([id, e]) => this.info(id, e));
  }

  /** Remove `holder` from each of `ids`; stop those left unheld. */
  private async release(ids: readonly string[], holder: string): Promise<string[]> {
    const stopped: string[] = [];
    for (const id of ids) {
      const e = this.services.get(id);
      if (!e || !e.holders.delete(holder) || e.holders.size > 0) continue;
      stopped.push(...await this.stopEntry(id));
    }
    return stopped;
  }

  private async stopEntry(id: string): Promise<string[]> {
    const e = this.services.get(id);
    if (!e) return [];
    this.services.delete(id);
    await e.proc.stop();
    this.dropRoots(e.proc.spec);
    return [e.proc.spec.label, ...await this.release(e.proc.spec.deps.map((d) => d.id), depHolder(id))];
  }

  private addRoots(spec: ServiceSpec): void {
    spec.keep.forEach((object, i) => addRoot(this.store, { name: `service/${spec.id}/${i}`, object, kind: 'process', pid: process.pid }));
  }

  private dropRoots(spec: ServiceSpec): void {
    spec.keep.forEach((_, i) => {
      try {
        removeRoot(this.store, `service/${spec.id}/${i}`);
      } catch {
        // Not added (the start failed before) or gone already.
      }
    });
  }

  private info(id: string, e: Entry): ServiceInfo {
    const p = e.proc;
    return {
      id, label: p.spec.label, roots: [...e.holders].filter((h) => h.startsWith('root:')).map((h) => h.slice(5)),
      endpoint: p.state === 'ready' ? p.spec.endpoint : '', pid: p.state === 'exited' ? undefined : p.pid, state: p.state, ready: p.state === 'ready',
      uptime: p.state === 'exited' ? 0 : Math.round((Date.now() - p.startedAt) / 1000), restarts: p.restarts, lastExit: p.lastExit,
      needs: p.spec.deps.map((d) => d.id), log: p.logPath,
    };
  }
}
