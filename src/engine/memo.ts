/**
 * The memo of whole names (docs/engine.md, "The memo"): ninja's deps log,
 * Bazel's action cache, for a whole realize. After a realize that succeeded,
 * its results are kept under a key of everything that decides what the
 * name text means to this caller (`memoKey`), with every file or tree its
 * contextual nodes were made from and the stat state each had before it was
 * read. The next realize under the same key stats those paths again; if
 * each stats exactly the same (and was not racy when taken), the results
 * are the answer, without parsing, resolving or running anything.
 *
 * A realize is memoized only when every contextual node it ran declared its
 * whole context (`RealizeContext.dependsOn`); one that did not (standard
 * input, the environment, the clock, a remote), an a-priori reduction of a
 * contextual node, or a named namespace leaves no memo. Replacing or
 * removing any reduction forgets every memo (`reductions.ts`): what a name
 * realizes to may have changed without any file changing.
 *
 * This module loads only the store's database and stat cache: the CLI
 * answers from it before it loads the engine or any namespace.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Resource } from '../resource/types.js';
import { racy, type TreeState } from '../store/stat-cache.js';
import type { Store } from '../store/store.js';
import { depPaths, depsSame, depsUnchanged, encodeDeps, storedDep, type StoredDep } from './memo-deps.js';

export { unchanged, type StoredDep } from './memo-deps.js';

/** The key of a memo; minted by `memoKey` only. */
export type MemoKey = string & { readonly __brand: 'MemoKey' };

/** Everything that decides what a name text means to its caller. */
export interface MemoContext {
  /** The name text, exactly as realized (after `--bind`). */
  readonly text: string;
  /** The working directory: relative paths in the name are relative to it. */
  readonly cwd: string;
  /**
   * Everything else that changes the meaning: the configured namespaces and their spellings
   * (`nomia.json`, the user's config), the sandbox mode, nomia's version. Opaque here; the same text
   * from the same caller set-up must give the same string.
   */
  readonly configuration: string;
}

/** The memo format: a new one never reads an old one's rows as its own. */
const FORMAT = 'nomia-memo-3';

/** The key of a realize: the SHA-256 of the format, the text, the working directory and the configuration, each length-prefixed. */
export function memoKey(c: MemoContext): MemoKey {
  const h = createHash('sha256');
  for (const part of [FORMAT, c.cwd, c.configuration, c.text]) h.update(`${Buffer.byteLength(part)}:`).update(part);
  return `memo1-${h.digest('hex')}` as MemoKey;
}

/**
 * What a contextual node was made from, and which nodes of the outermost realize declared it: a file or
 * tree (`state`), or the clock (`until`: the result holds until then, epoch ms; `RealizeContext.validUntil`).
 */
export type Dependency = ({ readonly state: TreeState } | { readonly until: number }) & {
  /**
   * The ids of the outermost realize's nodes that declared it; undefined when a realize it started
   * (a namespace's `ctx.resolve`) did: then no node of the outer graph can be told from it.
   */
  readonly owners: readonly number[] | undefined;
};

/** Where the nodes of one realize declare what they were made from. */
export interface DependencySink {
  /** A contextual node was made from `state`; `owners`: the ids of the outermost realize's nodes it belongs to. */
  add(state: TreeState, owners?: readonly number[]): void;
  /** A contextual node's result holds until `untilMs` (epoch ms) only. */
  expire(untilMs: number, owners?: readonly number[]): void;
  /** A contextual node was realized from context it did not declare. */
  untrack(label: string): void;
}

/** What a realize's contextual nodes were made from, collected as it runs (one per realize, shared by the realizes it starts). */
export class Dependencies implements DependencySink {
  private readonly entries: Dependency[] = [];
  /** The label of the first contextual node that did not declare its context: then nothing is memoized. */
  untracked: string | undefined;

  /** A contextual node was made from `state`; `owners`: the outermost realize's nodes it belongs to (memo-nodes.ts). */
  add(state: TreeState, owners?: readonly number[]): void {
    this.entries.push({ state, owners });
  }

  /** A contextual node's result holds until `untilMs` (epoch ms) only. */
  expire(untilMs: number, owners?: readonly number[]): void {
    this.entries.push({ until: untilMs, owners });
  }

  /** A contextual node was realized from context it did not declare. */
  untrack(label: string): void {
    this.untracked ??= label;
  }

  /** The sink for a realize this one started: its nodes are not the outer graph's, so what they declare has no owners. */
  unowned(): DependencySink {
    return { add: (state) => this.add(state), expire: (until) => this.expire(until), untrack: (label) => this.untrack(label) };
  }

  /** Every dependency declared, each once; owners merged (unknown if any declaration's is). */
  list(): readonly Dependency[] {
    const byState = new Map<string, { dep: Dependency; owners: Set<number> | undefined }>();
    for (const dep of this.entries) {
      const k = JSON.stringify(encode(dep));
      const known = byState.get(k);
      if (!known) byState.set(k, { dep, owners: dep.owners && new Set(dep.owners) });
      else if (!dep.owners) known.owners = undefined;
      else if (known.owners) for (const o of dep.owners) known.owners.add(o);
    }
    return [...byState.values()].map(({ dep, owners }) => ({ ...dep, owners: owners && [...owners] }));
  }
}

function isStored(d: Dependency | StoredDep): d is StoredDep {
  return Array.isArray(d);
}

function encode(d: Dependency | StoredDep): StoredDep {
  if (isStored(d)) return d;
  if (!('state' in d)) return [null, d.until];
  const s = d.state;
  // Racy (stat-cache.ts): a change within the granule the stats were taken in could look the same.
  return storedDep(s, racy(s.newestNs, s.stampNs));
}

/**
 * Record that the realize keyed `key` gave `results`, made from `deps`, with what its nodes gave
 * (`nodes`, memo-nodes.ts; absent: none). A memo that cannot be written costs the next realize its
 * full run, nothing more.
 */
export function recordMemo(store: Store, key: MemoKey, results: readonly Resource[], deps: readonly (Dependency | StoredDep)[], nodes?: string): void {
  const stored = encodeDeps(deps.map(encode));
  if (!stored) return;
  try {
    store.db.putMemo(key, JSON.stringify(results), stored, nodes);
  } catch {
    // A read-only or locked database: no memo.
  }
}

/** A memo whose every dependency stats as recorded. */
export interface MemoHit {
  readonly results: readonly Resource[];
  /** The results as stored (`memoCurrent` compares them). */
  readonly recorded: string;
  /** The paths it depends on (for a watcher). */
  readonly paths: readonly string[];
  /** When it stops holding (epoch ms; a watcher sees no change of the clock); absent: never by itself. */
  readonly until?: number;
}

/**
 * The results memoized under `key`, if every path they were made from
 * stats as it did (checked here); whether each result is still in the
 * store is the caller's to check, as it holds them (`Protection.hold`).
 */
export function lookupMemo(store: Store, key: MemoKey): MemoHit | undefined {
  let row;
  try {
    row = store.db.memo(key);
  } catch {
    return undefined;
  }
  if (!row || !depsUnchanged(row.deps)) return undefined;
  return { results: JSON.parse(row.results) as Resource[], recorded: row.results, ...depPaths(row.deps)! };
}

/**
 * Whether the memo under `key` still holds `hit`'s results: false once it was
 * forgotten (a reduction replaced or removed, by any process) or recorded
 * anew. One read of the results alone, for a copy kept in memory.
 */
export function memoCurrent(store: Store, key: MemoKey, hit: MemoHit): boolean {
  try {
    return store.db.memoResults(key) === hit.recorded;
  } catch {
    return false;
  }
}

/** The paths the memo under `key` depends on, unchecked (to watch them before checking them); undefined if there is none. */
export function memoPaths(store: Store, key: MemoKey): readonly string[] | undefined {
  let row;
  try {
    row = store.db.memo(key);
  } catch {
    return undefined;
  }
  return row && depPaths(row.deps)?.paths;
}

/**
 * A memo that did not answer, as checked once: passed on to whatever would check it next in the same
 * process (the full command after realize-lean.ts, the engine after the command, the memo of nodes),
 * so that a miss costs one look at the memo, not four. Passing on a miss is always safe: at worst a
 * memo recorded meanwhile by another process is not used, and the name is realized.
 */
export interface MemoMiss {
  readonly key: MemoKey;
  /**
   * The memo's dependencies as read, with whether each stats as recorded (`depsSame`, in `decodeDeps`
   * order); absent when there is no memo under the key or it could not be read.
   */
  readonly checked?: { readonly deps: Buffer | string; readonly same: readonly boolean[] };
}

/** The memo's answer (`hit`), or the miss as checked (`missed`), to pass on. */
export type MemoAnswer = { readonly hit: MemoHit; readonly missed?: undefined } | { readonly hit?: undefined; readonly missed: MemoMiss };

/**
 * The answer from the memo under `key`: its results, each still in the store and held by `hold` (false
 * when one is not registered any more), or the miss (then realize as usual, passing it on). Every
 * dependency is statted even after one changed: the memo of nodes needs to know which (memo-nodes.ts).
 */
export function answerFromMemo(store: Store, key: MemoKey, hold: (results: readonly Resource[]) => boolean): MemoAnswer {
  const checked = checkMemo(store, key);
  if (checked.missed) return checked;
  const { results } = checked.hit;
  if (!results.every((r) => r.kind !== 'object' || existsSync(r.path)) || !hold(results)) return { missed: checked.miss };
  return { hit: checked.hit };
}

/**
 * The memo under `key` checked as `answerFromMemo` checks it (every dependency statted), but nothing held
 * and no result looked for in the store: its hit, with the miss to pass on should the caller not take it
 * (`miss`, as a `MemoMiss` with every dependency found the same), or the miss.
 */
export function checkMemo(store: Store, key: MemoKey): { readonly hit: MemoHit; readonly miss: MemoMiss; readonly missed?: undefined } | { readonly hit?: undefined; readonly missed: MemoMiss } {
  let row;
  try {
    row = store.db.memo(key);
  } catch {
    return { missed: { key } };
  }
  const same = row && depsSame(row.deps);
  if (!row || !same) return { missed: { key } };
  const miss = { key, checked: { deps: row.deps, same } };
  if (!same.every((s) => s)) return { missed: miss };
  return { hit: { results: JSON.parse(row.results) as Resource[], recorded: row.results, ...depPaths(row.deps)! }, miss };
}
