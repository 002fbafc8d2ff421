/**
 * The roots that keep a supervised service's closure (DESIGN.md §6,
 * docs/namespaces/service.md, "Liveness as persistence"): `service/<id>/<n>`
 * on the supervisor's process, added for every service a start brings up
 * (a whole chain) in one transaction before the first is spawned, and
 * `service/<id>/<n>/run` on the service's own process, added after each
 * spawn, those of one turn together.
 *
 * None of these commits is flushed: a process root holds only while its
 * process runs, and a power loss ends every process, so a commit it loses
 * roots nothing (a process crash loses no commit; docs/store.md, "fsync").
 * Flushed, each was an fsync on the supervisor's thread per service.
 */
import { addRoots, removeRoots, type Store } from '../../namespace/index.js';
import type { ServiceSpec } from './spec.js';
import { trace } from './trace.js';

const UNFLUSHED = { flush: false } as const;

/** Root the closures of `specs` on this supervisor's process, in one transaction. */
export function rootServices(store: Store, specs: readonly ServiceSpec[]): void {
  addRoots(store, specs.flatMap((spec) => spec.keep.map((object, i) => ({ name: `service/${spec.id}/${i}`, object, kind: 'process' as const, pid: process.pid }))), UNFLUSHED);
}

/** Remove every root of `specs` (both kinds), in one transaction. */
export function unrootServices(store: Store, specs: readonly ServiceSpec[]): void {
  removeRoots(store, specs.flatMap((spec) => spec.keep.flatMap((_, i) => [`service/${spec.id}/${i}`, `service/${spec.id}/${i}/run`])), UNFLUSHED);
}

/**
 * The `run` roots of new processes, and a save of the supervisor's table after them, on the next turn:
 * both are for after a supervisor's death, and done per service they were two commits and a rename on the
 * path of each readiness probe; coalesced, the starts of one turn cost one of each.
 */
export class RunRoots {
  private readonly pending: { name: string; object: string; pid: number }[] = [];
  private scheduled = false;

  constructor(private readonly store: Store, private readonly save: () => void) {}

  /** Root `spec`'s objects on the process `pid` (none: only save the table), soon. */
  add(spec: ServiceSpec, pid: number | undefined): void {
    if (pid) for (const [i, object] of spec.keep.entries()) this.pending.push({ name: `service/${spec.id}/${i}/run`, object, pid });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    trace('supervisor: run roots');
    const roots = this.pending.splice(0).map((r) => ({ ...r, kind: 'process' as const }));
    try {
      addRoots(this.store, roots, UNFLUSHED);
    } catch {
      // One of them has ended already (its end is on its way; the supervisor's root holds meanwhile): the others one by one.
      for (const r of roots) {
        try {
          addRoots(this.store, [r], UNFLUSHED);
        } catch {
          // That one.
        }
      }
    }
    trace('supervisor: run roots added');
    this.save();
    trace('supervisor: state saved');
  }
}
