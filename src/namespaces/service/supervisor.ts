/**
 * The table of running services of one store, and who holds each: a root
 * (`nomia up --root R`), a process that realized it (until that process
 * exits), or a dependent service. A service nothing holds any more is
 * stopped, and then what it needed is let go of in turn: stopping goes in
 * reverse order of starting.
 *
 * Liveness as persistence (DESIGN.md §6): each store object a service uses
 * is kept by two roots, one conditional on the supervisor's process
 * (`service/<id>/<n>`, so a service between a crash and its restart keeps
 * its closure) and one on the service's own process (`service/<id>/<n>/run`,
 * so a service whose supervisor was killed keeps it until the next
 * supervisor adopts it); gc keeps what they refer to. Both go when the
 * service ends for good. The table is saved on every change
 * (saved-state.ts) for the next supervisor to adopt.
 */
import { join } from 'node:path';
import { addRoot, checkRootName, NomiaError, removeRoot, type Store } from '../../namespace/index.js';
import type { ServiceInfo } from './protocol.js';
import type { ProcessHandle } from './process-handle.js';
import { ServiceProcess } from './running.js';
import { loadState, saveState } from './saved-state.js';
import type { ServiceSpec } from './spec.js';

interface Entry {
  readonly proc: ServiceProcess;
  readonly holders: Set<string>;
  /** Settles when the first start has: ready, or failed. */
  readonly started: Promise<void>;
}

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
    const proc = this.process(spec);
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
      this.save();
      return this.info(spec.id, entry);
    } catch (e) {
      settle(false);
      // Whoever joined meanwhile has its answer; what this one held for its start is let go of.
      this.services.delete(spec.id);
      this.dropRoots(spec);
      this.save();
      await this.release(spec.deps.map((d) => d.id), depHolder(spec.id));
      throw e;
    }
  }

  /**
   * Take over the services a supervisor that died left (saved-state.ts): each whose process still runs,
   * with the same pid and start time, is watched again; one that ended meanwhile is restarted per its policy.
   */
  adopt(): void {
    for (const saved of loadState(this.dir)) {
      if (this.services.has(saved.spec.id)) continue;
      const proc = this.process(saved.spec);
      const entry: Entry = { proc, holders: new Set(saved.holders), started: Promise.resolve() };
      this.services.set(saved.spec.id, entry);
      this.addRoots(saved.spec);
      proc.adopt(saved.process ?? { pid: 0, start: -1, startedAt: 0, restarts: 0, lastExit: undefined, ready: false });
    }
    this.save();
  }

  private process(spec: ServiceSpec): ServiceProcess {
    return new ServiceProcess(spec, join(this.dir, spec.id), () => {
      this.dropRoots(spec);
      this.save();
    }, (h) => this.processChanged(spec, h));
  }

  /** Another process runs `spec` now: root its objects on it too, and save the table. */
  private processChanged(spec: ServiceSpec, h: ProcessHandle | undefined): void {
    if (h) {
      for (const [i, object] of spec.keep.entries()) {
        try {
          addRoot(this.store, { name: `service/${spec.id}/${i}/run`, object, kind: 'process', pid: h.pid });
        } catch {
          // It has ended already: its end is on its way, and the supervisor's root holds meanwhile.
        }
      }
    }
    this.save();
  }

  /** Save the table for a supervisor that comes after this one. */
  private save(): void {
    saveState(this.dir, [...this.services.values()].filter((e) => e.proc.state !== 'exited' && e.proc.state !== 'stopping')
      .map((e) => ({ spec: e.proc.spec, holders: [...e.holders], process: e.proc.saved() })));
  }

  /** Name the running service `id` by `root` (default: its label; with `ifReady`, only if it is ready); a root names one service, so it leaves any other. */
  async hold(id: string, given: string | undefined, ifReady = false): Promise<ServiceInfo> {
    const entry = this.services.get(id);
    if (!entry || (ifReady && entry.proc.state !== 'ready')) throw new NomiaError('service/not-found', `no service ${id} is running`, { hint: 'start it: nomia up --root R NAME' });
    const root = given ?? checkRootName(entry.proc.spec.label);
    entry.holders.add(rootHolder(root));
    await this.release([...this.services.keys()].filter((other) => other !== id), rootHolder(root));
    this.save();
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
      if (!e || !e.holders.delete(holder)) continue;
      if (e.holders.size > 0) {
        this.save();
        continue;
      }
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
    this.save();
    return [e.proc.spec.label, ...await this.release(e.proc.spec.deps.map((d) => d.id), depHolder(id))];
  }

  private addRoots(spec: ServiceSpec): void {
    spec.keep.forEach((object, i) => addRoot(this.store, { name: `service/${spec.id}/${i}`, object, kind: 'process', pid: process.pid }));
  }

  private dropRoots(spec: ServiceSpec): void {
    for (const name of spec.keep.flatMap((_, i) => [`service/${spec.id}/${i}`, `service/${spec.id}/${i}/run`])) {
      try {
        removeRoot(this.store, name);
      } catch {
        // Not added (the start failed before) or gone already.
      }
    }
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
