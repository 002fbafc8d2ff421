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
import { checkRootName, NomiaError, type Store } from '../../namespace/index.js';
import type { ServiceInfo } from './protocol.js';
import type { ProcessHandle } from './process-handle.js';
import { ServiceProcess } from './running.js';
import { loadState, saveState } from './saved-state.js';
import { rootServices, RunRoots, unrootServices } from './service-roots.js';
import type { ServiceSpec } from './spec.js';
import { trace } from './trace.js';

interface Entry {
  readonly proc: ServiceProcess;
  readonly holders: Set<string>;
  /** Settles when the first start has: ready, or failed. */
  readonly started: Promise<void>;
}

const rootHolder = (root: string) => `root:${root}`;
const rootsOf = (e: Entry) => [...e.holders].filter((h) => h.startsWith('root:')).map((h) => h.slice(5));
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
  private readonly runRoots: RunRoots;

  constructor(private readonly store: Store, private readonly dir: string) {
    this.runRoots = new RunRoots(store, () => this.save());
  }

  get size(): number {
    return this.services.size;
  }

  /** Start `spec` (or join it if it runs) for `holder`; resolves once it is ready. */
  async start(spec: ServiceSpec, holder: string): Promise<ServiceInfo> {
    await this.startAll([spec], holder);
    return this.info(spec.id, this.services.get(spec.id)!);
  }

  /**
   * Start every service of `specs` (joining those that run) for `holder`, each the moment the ones it needs
   * are ready: no round trip through the client per service. The ports of all are checked and the closures
   * of all rooted (one transaction) before the first is spawned. Resolves with them in the order they became
   * ready; rejects with the error of the first that failed (its dependents in `specs` are not started, and
   * the message names them), after letting go of every one of them for `holder`.
   */
  async startAll(specs: readonly ServiceSpec[], holder: string): Promise<ServiceInfo[]> {
    const order = [...new Map(specs.map((s) => [s.id, s])).values()];
    const asked = new Set(order.map((s) => s.id));
    for (const spec of order) {
      for (const dep of spec.deps) {
        const d = this.services.get(dep.id);
        if (asked.has(dep.id) || (d && d.proc.state !== 'exited' && d.proc.state !== 'stopping')) continue;
        throw new NomiaError('service/dependency', `service ${spec.label} needs \`${dep.port}\` (service ${d?.proc.spec.label ?? dep.id}), which is not running${d?.proc.lastExit ? `: it ${d.proc.lastExit}` : ''}`, {
          hint: `start it again: nomia up NAME (\`nomia logs\` of it says why it ended)`,
        });
      }
    }
    const fresh: ServiceSpec[] = [];
    for (const spec of order) {
      const running = this.services.get(spec.id);
      if (running && running.proc.state !== 'exited') {
        running.holders.add(holder);
        continue;
      }
      if (running) await this.stopEntry(spec.id);
      fresh.push(spec);
    }
    const settles = new Map<string, (ok: boolean) => void>();
    for (const spec of fresh) {
      const started = new Promise<void>((resolve, reject) => {
        settles.set(spec.id, (ok) => (ok ? resolve() : reject(new NomiaError('service/failed', `service ${spec.label} failed to start`))));
      });
      started.catch(() => undefined);
      this.services.set(spec.id, { proc: this.process(spec), holders: new Set([holder]), started });
    }
    for (const spec of fresh) for (const dep of spec.deps) this.services.get(dep.id)!.holders.add(depHolder(spec.id));
    const ready: ServiceInfo[] = [];
    const failures = new Map<string, unknown>();
    const launch = async (spec: ServiceSpec, free: Promise<unknown>): Promise<void> => {
      const entry = this.services.get(spec.id)!;
      const needs = spec.deps.map((d) => ({ dep: d, label: this.services.get(d.id)!.proc.spec.label, started: this.services.get(d.id)!.started }));
      try {
        await free;
        for (const { dep, label, started } of needs) {
          await started.catch(() => {
            throw new NomiaError('service/dependency', `service ${spec.label} was not started: \`${dep.port}\` (service ${label}) failed to start`, {
              hint: 'the error of the service it needs says why',
            });
          });
        }
        await entry.proc.launch();
        settles.get(spec.id)!(true);
        // That it is ready is not saved here, on the path of the next service's spawn and probe: that spawn's
        // save (RunRoots) records it, and the hold that follows a start (`up`) saves the last. A supervisor
        // that dies in between leaves a service its successor probes again (`adopt`), never one it does not know.
        ready.push(this.info(spec.id, entry));
      } catch (e) {
        failures.set(spec.id, e);
        settles.get(spec.id)!(false);
        this.services.delete(spec.id);
        unrootServices(this.store, [spec]);
        this.save();
        await this.release(spec.deps.map((d) => d.id), depHolder(spec.id));
      }
    };
    try {
      rootServices(this.store, fresh);
    } catch (e) {
      for (const spec of fresh) this.services.delete(spec.id);
      throw e;
    }
    trace(`supervisor: ${fresh.length} rooted`);
    // Checked at once, all of them: a port taken at the end of a chain fails it before anything runs.
    const free = fresh.map((spec) => this.services.get(spec.id)!.proc.checkFree());
    const checked = Promise.all(free);
    checked.catch(() => undefined);
    await Promise.all(fresh.map((spec, i) => launch(spec, free[i]!.then(() => checked))));
    // Those joined, not started here: ready when their own start is.
    for (const spec of order) {
      const e = this.services.get(spec.id);
      if (fresh.includes(spec) || !e) continue;
      try {
        await e.started;
        ready.push(this.info(spec.id, e));
      } catch (err) {
        failures.set(spec.id, err);
      }
    }
    if (failures.size === 0) return ready;
    await this.release(order.map((s) => s.id), holder);
    throw failureOf(order, failures);
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
      rootServices(this.store, [saved.spec]);
      proc.adopt(saved.process ?? { pid: 0, start: -1, startedAt: 0, restarts: 0, lastExit: undefined, ready: false });
    }
    this.save();
  }

  private process(spec: ServiceSpec): ServiceProcess {
    return new ServiceProcess(spec, join(this.dir, spec.id), () => {
      unrootServices(this.store, [spec]);
      this.save();
    }, (h) => this.processChanged(spec, h));
  }

  /** Another process runs `spec` now: root its objects on it too, and save the table (both on the next turn: see `RunRoots`). */
  private processChanged(spec: ServiceSpec, h: ProcessHandle | undefined): void {
    this.runRoots.add(spec, h?.pid);
  }

  /** Save the table for a supervisor that comes after this one. */
  private save(): void {
    saveState(this.dir, [...this.services.values()].filter((e) => e.proc.state !== 'exited' && e.proc.state !== 'stopping')
      .map((e) => ({ spec: e.proc.spec, holders: [...e.holders], process: e.proc.saved() })));
  }

  /** Refuse before anything starts what `hold(id, root)` would refuse after: a label that is no root name, as the default root. */
  checkHold(specs: readonly ServiceSpec[], id: string, root: string | undefined): void {
    const label = specs.find((s) => s.id === id)?.label;
    if (root === undefined && label !== undefined) checkRootName(label);
  }

  /** Name the running service `id` by `root` (default: its label; with `ifReady`, only if it is ready); a root names one service, so it leaves any other. */
  async hold(id: string, given: string | undefined, ifReady = false): Promise<ServiceInfo> {
    const entry = this.services.get(id);
    if (!entry || (ifReady && entry.proc.state !== 'ready')) throw new NomiaError('service/not-found', `no service ${id} is running`, { hint: 'start it: nomia up --root R NAME' });
    const root = given ?? checkRootName(entry.proc.spec.label);
    const added = !entry.holders.has(rootHolder(root));
    entry.holders.add(rootHolder(root));
    // What the root leaves is saved by `release`; the table is written here only if the root is new (the
    // second `up` of a running service, answered from the memo of `up`, changes nothing).
    await this.release([...this.services.keys()].filter((other) => other !== id), rootHolder(root));
    if (added) this.save();
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
    unrootServices(this.store, [e.proc.spec]);
    this.save();
    return [e.proc.spec.label, ...await this.release(e.proc.spec.deps.map((d) => d.id), depHolder(id))];
  }

  /** The roots of the services that hold `e` as their dependency, through theirs where they have none (`ServiceInfo.via`). */
  private via(e: Entry, seen = new Set<Entry>([e])): string[] {
    const roots = new Set<string>();
    for (const h of e.holders) {
      const dependent = h.startsWith('dep:') ? this.services.get(h.slice(4)) : undefined;
      if (!dependent || seen.has(dependent)) continue;
      seen.add(dependent);
      const own = rootsOf(dependent);
      for (const r of own.length ? own : this.via(dependent, seen)) roots.add(r);
    }
    return [...roots].sort();
  }

  private info(id: string, e: Entry): ServiceInfo {
    const p = e.proc;
    return {
      id, label: p.spec.label, roots: rootsOf(e), via: this.via(e),
      endpoint: p.state === 'ready' ? p.spec.endpoint : '', pid: p.state === 'exited' ? undefined : p.pid, state: p.state, ready: p.state === 'ready',
      uptime: p.state === 'exited' ? 0 : Math.round((Date.now() - p.startedAt) / 1000), restarts: p.restarts, lastExit: p.lastExit,
      needs: p.spec.deps.map((d) => d.id), log: p.logPath,
    };
  }
}

/**
 * The error of a start of several services: that of the first (in start order) which failed by itself, not
 * because a service it needs did; the dependents that were therefore not started are named.
 */
function failureOf(order: readonly ServiceSpec[], failures: ReadonlyMap<string, unknown>): unknown {
  const failed = order.filter((s) => failures.has(s.id));
  const dependent = (s: ServiceSpec) => (failures.get(s.id) as { code?: string }).code === 'service/dependency';
  const cause = failed.find((s) => !dependent(s)) ?? failed[0]!;
  const e = failures.get(cause.id);
  const skipped = failed.filter((s) => s !== cause && dependent(s)).map((s) => s.label);
  if (!(e instanceof NomiaError) || skipped.length === 0) return e;
  return new NomiaError(e.code, `${e.message}\nnot started, as they need it: ${skipped.join(', ')}`, e.hint === undefined ? {} : { hint: e.hint });
}
