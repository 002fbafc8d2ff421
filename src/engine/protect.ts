/**
 * What a realize touches, gc leaves alone (docs/store.md, "Roots and garbage
 * collection"). Every object a realize finds (by a recorded reduction, by
 * content, as a whole-name result), binds as an input, or gets back from a
 * namespace is held through a temporary root of this process from the
 * moment it is found until the realize ends. A hold is taken under the
 * store's write lock with a check that the object is still registered
 * (`holdTempRoots`), so there is no window: a lookup whose object went away
 * meanwhile is a miss, and the node is realized instead.
 *
 * One `Protection` serves a realize and every realize it starts (a-priori
 * reductions, a namespace's `ctx.resolve`); the outermost releases it.
 */
import { existsSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import type { Resource } from '../namespace/types.js';
import { entryOf, type Store } from '../store/store.js';
import { holdTempRoots, holdTempRootSoon, releaseTempRoots } from '../store/temp-roots.js';

export class Protection {
  private readonly held = new Map<Store, string[]>();

  constructor(private readonly store: Store) {}

  /** The store entry of an object resource, or undefined (a value, or a path outside `store`). */
  private entry(r: Resource, store = this.store): string | undefined {
    return r.kind === 'object' ? entryOf(store, r.path) : undefined;
  }

  /**
   * Hold every object among `resources` (with what it refers to) that lies
   * in `store` (default: the realize's; a private node's is its owner's
   * private store, which must stay open until `release`). False if one of
   * them is no longer in the store: the caller treats what it found as
   * absent. Holds taken before the failure stay until `release`.
   */
  hold(resources: Iterable<Resource>, store = this.store): boolean {
    const entries: string[] = [];
    for (const r of resources) {
      const e = this.entry(r, store);
      if (e !== undefined) entries.push(e);
    }
    return this.holdEntries(entries, store);
  }

  /**
   * `hold` for store entries (`<hash>-<name>`) known by path, not as resources: the objects a binary
   * cache's record names, held from before they are fetched (those already here) or right after their
   * import, until the reduction that leads to them is recorded and looked up (substitute.ts).
   */
  holdEntries(entries: Iterable<string>, store = this.store): boolean {
    const all = [...entries];
    const n = holdTempRoots(store, all);
    let list = this.held.get(store);
    if (!list) this.held.set(store, (list = []));
    for (let i = 0; i < n; i++) list.push(all[i]!);
    return n === all.length;
  }

  /**
   * `hold`, taken in one transaction with the other holds asked for in the same turn of the event loop
   * (the lookups of many nodes at once). Resolves as `hold` returns.
   */
  async holdSoon(resources: Iterable<Resource>, store = this.store): Promise<boolean> {
    const entries = [...resources].map((r) => this.entry(r, store)).filter((e): e is string => e !== undefined);
    const answers = await Promise.all(entries.map((e) => holdTempRootSoon(store, e)));
    let list = this.held.get(store);
    if (!list) this.held.set(store, (list = []));
    entries.forEach((e, i) => {
      if (answers[i]) list.push(e);
    });
    return answers.every(Boolean);
  }

  /**
   * Throw unless every object among a node's `inputs` is still registered
   * and on disk: a node whose input vanished (removed by hand, or by a
   * repair) fails; it must never record what it made without it.
   */
  checkInputs(label: string, inputs: Readonly<Record<string, Resource>>): void {
    for (const [port, r] of Object.entries(inputs)) {
      const e = this.entry(r);
      if (e === undefined || r.kind !== 'object') continue;
      if (!this.store.db.object(e) || !existsSync(r.path)) {
        throw new NomiaError('realize/input-vanished', `the input \`${port}\` of \`${label}\` (${r.name}) left the store while the node ran; nothing was recorded`, {
          hint: 'realize the name again (it realizes the input anew); if it keeps happening, run `nomia verify`',
        });
      }
    }
  }

  /**
   * Release every hold. What the realize handed out is then held only by
   * what holds it otherwise: a commit of this process, a handle, a root.
   */
  release(): void {
    for (const [store, entries] of this.held) releaseTempRoots(store, entries);
    this.held.clear();
  }
}
