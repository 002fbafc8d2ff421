/**
 * `nomia push`: what a name is known to reduce to, shared through a binary
 * cache. The name is realized first (reusing what is recorded), then for
 * each of its nodes every reduction recorded from the spellings realize
 * looked it up by, and the chain that follows it, each with the closure
 * of the objects it ends at; objects are written before the records that
 * point at them (cache/push.ts). User assertions stay local: they are one
 * user's word, not a result.
 */
import { relative, sep } from 'node:path';
import { NomiaError } from '../errors.js';
import type { SecretKey } from '../cache/keys.js';
import { pushObjects, pushRecord } from '../cache/push.js';
import type { RecordObject } from '../cache/record.js';
import type { Transport } from '../cache/transport.js';
import type { Registry } from '../namespace/registry.js';
import type { ReductionRow } from '../store/database.js';
import type { Store } from '../store/store.js';
import type { RunContext } from '../namespace/types.js';
import { realize } from './realize.js';
import { materialize, reductionChain, trusted, USER } from './reductions.js';
import { nameSteps } from './steps.js';

export interface PushNamesResult {
  /** Reduction records written. */
  readonly records: number;
  /** Objects uploaded (others of the closures were there already). */
  readonly uploaded: number;
  readonly bytes: number;
}

/**
 * A row worth sharing: a namespace's result, not the engine's memo or the user's word; and, if it was
 * itself taken from a cache, one whose signer this project trusts (`trusted`): we sign only what we follow.
 */
const shared = (r: ReductionRow, registry: Registry): boolean => r.namespace !== USER && trusted(r, r.namespace, registry);

/**
 * The spellings realize looks `text`'s nodes up by: each node's graph spelling (what a name without
 * contextual parts is recorded under) and, by realizing it (reusing what is recorded, running what is
 * not), the spellings from its realized inputs, which are all a node fed by the caller's files has.
 */
async function spellingsOf(text: string, options: PushOptions): Promise<Set<string>> {
  const spellings = new Set<string>(((await nameSteps(text, options.registry)) ?? []).filter((s) => !s.tainted).map((s) => s.spelling));
  await realize(text, {
    store: options.store, registry: options.registry, context: options.context,
    onEvent: (e) => {
      if (e.kind === 'cache-hit') spellings.add(e.spelling);
      else if (e.kind === 'reduced') spellings.add(e.from);
    },
  });
  return spellings;
}

/** The rows to push for `text`: from each spelling of its nodes, and the chains after them. */
async function rowsOf(text: string, options: PushOptions): Promise<ReductionRow[]> {
  const { store, registry } = options;
  const rows = new Map<string, ReductionRow>();
  const add = (r: ReductionRow) => void (shared(r, registry) && rows.set(`${r.from}\0${r.namespace}`, r));
  for (const s of await spellingsOf(text, options)) store.db.reductionsFrom(s).forEach(add);
  // A namespace's refinement (`emitReduction`) leads on through further rows, from `r.to` itself on:
  // a reader that follows `r` to a name not in its store looks that name's own record up next.
  for (const r of [...rows.values()]) {
    for (const s of await reductionChain(store, r.to, registry)) if (s.row) add(s.row);
  }
  return [...rows.values()];
}

/** What a push works on: the store and registry, and the run context to realize the names in. */
export interface PushOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly context: RunContext;
}

/** Push what `names` reduce to, with their objects, to the cache `t`, signed with `key`. */
export async function pushNames(options: PushOptions, t: Transport, key: SecretKey, names: readonly string[]): Promise<PushNamesResult> {
  const { store, registry } = options;
  let records = 0;
  let uploaded = 0;
  let bytes = 0;
  for (const text of names) {
    const rows = (await rowsOf(text, options)).filter((r) => materialize(store, r.to, registry));
    if (!rows.length) {
      throw new NomiaError('usage', `nothing is recorded for ${text} to push`, { hint: `realize it first: \`nomia realize '${text}'\`` });
    }
    for (const row of rows) {
      const found = materialize(store, row.to, registry)!;
      let objects: readonly RecordObject[] = [];
      if (found.resource.kind === 'object') {
        const entry = relative(store.layout.storeDir, found.resource.path).split(sep)[0]!;
        const pushed = await pushObjects(store, t, key, [entry]);
        objects = pushed.objects;
        uploaded += pushed.uploaded;
        bytes += pushed.bytes;
      }
      await pushRecord(t, key, { from: row.from, namespace: row.namespace, to: row.to, storeDir: store.layout.storeDir, objects });
      records++;
    }
  }
  return { records, uploaded, bytes };
}
