/**
 * The memo of nodes (docs/engine.md, "Only what changed"): when the memo
 * of a whole name misses because some of its files changed, only the
 * nodes those files reach are realized again; every other node is answered
 * with what it gave in the realize that kept the memo, as ninja answers the
 * targets none of whose inputs changed.
 *
 * Beside its results and dependencies, a memo keeps (table `memo_nodes`) the
 * digest of the resolved graph it was made from, for each dependency the
 * ids of the nodes that declared it, and for each node the outputs it gave.
 * The next realize under the same key resolves the name (the same text in
 * the same configuration gives the same graph: checked by the digest),
 * stats every dependency, and marks dirty the nodes that declared a changed
 * one (or a racy one) and everything downstream of them. A clean node is
 * answered with its recorded outputs, held like a lookup's (a result that
 * left the store is realized as usual); only the clean nodes a dirty node
 * or a root asks for are touched at all.
 *
 * Why this is as safe as the whole-name memo: a clean node's spelling,
 * and the spellings of everything it was made from, are those of the
 * recorded run, and every contextual input it had stats as it did; what a
 * spelling realizes to changes only with the reductions, and replacing or
 * removing any reduction forgets every memo (this record with it). When a
 * changed dependency was declared inside a realize a node started (a
 * namespace's `ctx.resolve`), no node of this graph can be blamed for it:
 * then the whole name is walked, as before.
 */
import { createHash } from 'node:crypto';
import { portLabel } from '../graph/types.js';
import { entryOf, type Store } from '../store/store.js';
import type { Dependency, MemoKey, MemoMiss } from './memo.js';
import { decodeDeps, depsSame, type StoredDep } from './memo-deps.js';
import type { Outputs } from './outputs.js';
import type { ResolvedNode } from './resolve.js';

/** A row of `memo_nodes`, as JSON. */
interface StoredNodes {
  readonly format: 'nomia-memo-nodes-1';
  /** `graphDigest` of the resolved name the record is of. */
  readonly graph: string;
  /** Per stored dependency, in the order of the memo's `deps`: the nodes that declared it, or null (a nested realize did). */
  readonly owners: readonly (readonly number[] | null)[];
  /** Per node id: the outputs it gave, or null (not realized in that run). */
  readonly outputs: readonly (Outputs | null)[];
}

const FORMAT = 'nomia-memo-nodes-1';

/** A digest of the resolved graph: each node's static spelling, taint and input edges, by id. */
export function graphDigest(nodes: readonly ResolvedNode[]): string {
  const h = createHash('sha256');
  for (const n of nodes) h.update(JSON.stringify([n.spelling, n.tainted, n.inputs.map((e) => [e.from, portLabel(e.port)])])).update('\n');
  return h.digest('hex');
}

/** What the memo under a key still vouches for in this graph. */
export interface NodeMemo {
  /** The graph's digest (recorded again with the next memo). */
  readonly graph: string;
  /** The nodes no changed file reaches, with the outputs they gave. */
  readonly clean: ReadonlyMap<number, Outputs>;
  /** The dependencies that stat as recorded and belong to clean nodes only: carried into the next memo as they are. */
  readonly kept: readonly { readonly dep: StoredDep; readonly owners: readonly number[] }[];
}

/**
 * What the memo under `key` says about `nodes`: undefined when there is no
 * per-node record, it is of another graph, or a changed dependency belongs
 * to no node (then every node is realized as usual). `missed`: the miss of the whole-name memo as
 * checked in this process; its stats are used when the row is still the one it checked.
 */
export function nodeMemo(store: Store, key: MemoKey, nodes: readonly ResolvedNode[], missed?: MemoMiss): NodeMemo | undefined {
  let row;
  try {
    row = store.db.memoNodes(key);
  } catch {
    return undefined;
  }
  if (!row?.nodes) return undefined;
  const rec = JSON.parse(row.nodes) as StoredNodes;
  const graph = graphDigest(nodes);
  const deps = decodeDeps(row.deps);
  if (!deps || rec.format !== FORMAT || rec.graph !== graph || rec.outputs.length !== nodes.length || rec.owners.length !== deps.length) return undefined;
  const checked = missed?.key === key ? missed.checked : undefined;
  const same = checked && sameBytes(checked.deps, row.deps) ? checked.same : depsSame(row.deps);
  if (!same) return undefined;
  const dirty = new Set<number>();
  for (const i of deps.keys()) {
    if (same[i]) continue;
    const owners = rec.owners[i];
    if (!owners) return undefined;
    for (const o of owners) dirty.add(o);
  }
  // Everything downstream of a dirty node is dirty: its inputs may come out different.
  const users: number[][] = nodes.map(() => []);
  for (const n of nodes) for (const e of n.inputs) users[e.from.node]!.push(n.id);
  const queue = [...dirty];
  while (queue.length) {
    for (const u of users[queue.pop()!]!) {
      if (dirty.has(u)) continue;
      dirty.add(u);
      queue.push(u);
    }
  }
  const clean = new Map<number, Outputs>();
  rec.outputs.forEach((o, id) => {
    if (o && !dirty.has(id)) clean.set(id, o);
  });
  const kept = deps.flatMap((dep, i) => {
    const owners = rec.owners[i];
    return same[i] && owners && owners.every((o) => !dirty.has(o)) ? [{ dep, owners }] : [];
  });
  return { graph, clean, kept };
}

/** Whether two stored dependency columns are the same bytes (the row was not replaced in between). */
function sameBytes(a: Buffer | string, b: Buffer | string): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : Buffer.compare(a, b) === 0;
}

/**
 * The dependencies and `nodes` column of the memo a realize keeps: what it
 * declared, plus the clean nodes' dependencies carried over from `previous`
 * (they were not realized, so they declared nothing, but their outputs
 * still come from those files); each node's outputs from this run, else
 * the clean ones' recorded outputs.
 */
export function memoRecord(store: Store, nodes: readonly ResolvedNode[], realized: ReadonlyMap<number, Outputs>, declared: readonly Dependency[], previous: NodeMemo | undefined): { deps: (Dependency | StoredDep)[]; nodes: string } {
  const kept = previous?.kept ?? [];
  // Only outputs in this store can be held when answered again; a private node's (in its owner's store) is not kept.
  const here = (outs: Outputs | undefined) => outs && Object.values(outs).every((r) => r.kind !== 'object' || entryOf(store, r.path) !== undefined) ? outs : undefined;
  const rec: StoredNodes = {
    format: FORMAT,
    graph: previous?.graph ?? graphDigest(nodes),
    owners: [...declared.map((d) => d.owners ?? null), ...kept.map((k) => k.owners)],
    outputs: nodes.map((n) => here(realized.get(n.id) ?? previous?.clean.get(n.id)) ?? null),
  };
  return { deps: [...declared, ...kept.map((k) => k.dep)], nodes: JSON.stringify(rec) };
}
