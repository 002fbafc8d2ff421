/**
 * Substitution (DESIGN.md §9, docs/cache.md): before a node runs, the
 * run's binary caches are asked for a reduction of its spelling signed by a
 * trusted key. The record is followed by the same trust rule as a local row
 * (`trusted`), its objects are imported (checked by hash), and the
 * reduction is recorded with its signer, so that the ordinary lookup finds
 * the result. Anything a cache offers that cannot be used is reported and
 * the node is built instead: a cache can make a realize faster, never
 * wrong and never fail.
 */
import type { SignedRecord } from '../cache/record.js';
import type { Fetched, Offer, Refusal, Substituters } from '../cache/substituters.js';
import type { Spelling } from '../graph/spell.js';
import { spellName } from '../namespace/spelling.js';
import type { ReductionRow } from '../store/database.js';
import type { Store } from '../store/store.js';
import type { EngineEvent } from './events.js';
import { nodeEvents } from './node-events.js';
import { outputSpelling, ref } from './outputs.js';
import { materialize, record, trusted } from './reductions.js';
import type { ResolvedNode } from './resolve.js';
import type { StepEnv } from './step.js';

/** The row a record from `from` is recorded as: the reduction, with the key that signed it and its cache. */
function rowOf(from: string, record: SignedRecord, key: string, cache: string): Omit<ReductionRow, 'createdAt'> {
  return { from, namespace: record.namespace, to: record.to, kind: 'realized', signed: { by: key, from: cache } };
}

/**
 * Why a verified record from `from` is not followed for the node `n`, or undefined to follow it: the
 * trust rule (`trusted`) a recorded row meets, so a cache offers nothing a lookup would not follow.
 */
function refusal(env: StepEnv, n: ResolvedNode, from: string, record: SignedRecord, key: string): Refusal | undefined {
  if (trusted({ ...rowOf(from, record, key, ''), createdAt: 0 }, n.namespace.spelling, env.registry)) return undefined;
  const name = key.slice(0, key.indexOf(':'));
  if (!env.registry.trustsSigner(key, n.namespace.spelling)) {
    const scope = `${n.namespace.id}:*`;
    return {
      why: `is signed by ${name}, which is trusted here for ${scopes(env, key)} but not for names of \`${scope}\` (\`${n.label}\`)`,
      hint: `to follow ${name} for these names too, trust it for ${scope} as well: --trusted-key '${key}@${scope}', or add "${scope}" to its scopes in "trusted-public-keys" (docs/cache.md, "Trust")`,
    };
  }
  return { why: `was made by the namespace ${record.namespace}, which does not speak for \`${n.label}\`` };
}

/** The namespaces the run's namespace of namespaces trusts `key` for, for messages. */
function scopes(env: StepEnv, key: string): string {
  const ids = env.registry.trust.filter((t) => t.key === key).flatMap((t) => (t.namespaces === '*' ? ['*'] : t.namespaces.map((id) => `${id}:*`)));
  return ids.length ? ids.join(', ') : 'nothing';
}

/**
 * The spellings each run's caches could not give (nothing offered, or refused), so a second question for
 * one is not asked: a node whose spelling from its realized inputs is its graph spelling is looked up
 * under both, and would be warned about (or download a refused NAR) twice.
 */
const given = new WeakMap<Substituters, Set<string>>();

/** Follow a chain of cached records from `spelling` (at most 32 steps) until a present resource. */
async function substituteOne(env: StepEnv, subs: Substituters, store: Store, n: ResolvedNode, spelling: Spelling, emit: (e: EngineEvent) => void): Promise<boolean> {
  const failed = given.get(subs) ?? given.set(subs, new Set()).get(subs)!;
  const key = `${store.layout.storeDir}\0${spelling}`;
  if (failed.has(key)) return false;
  const done = await followChain(env, subs, store, n, spelling, emit);
  if (!done) failed.add(key);
  return done;
}

async function followChain(env: StepEnv, subs: Substituters, store: Store, n: ResolvedNode, spelling: Spelling, emit: (e: EngineEvent) => void): Promise<boolean> {
  let from: string = spelling;
  for (let depth = 0; depth < 32; depth++) {
    const at = from;
    const found = await subs.find(store, from, (message, hint) => emit({ kind: 'cache-skipped', ...ref(n), message, ...(hint === undefined ? {} : { hint }) }), (record, key) => refusal(env, n, at, record, key));
    if (!found) return false;
    const fetched = await fetchObjects(env, subs, store, found, n, emit);
    if (!fetched) return false;
    record(store, rowOf(from, found.record, found.key, found.cache));
    emit({ kind: 'substituted', ...ref(n), spelling: from as Spelling, to: found.record.to, cache: found.cache, signer: found.signer, objects: fetched.added, bytes: fetched.bytes });
    if (materialize(store, found.record.to, env.registry)) return true;
    const next = spellName(found.record.to, env.registry);
    if (!next) return false;
    from = next;
  }
  return false;
}

/** The objects of a found record brought into the store, or undefined (reported) when the cache's bytes are refused. */
async function fetchObjects(env: StepEnv, subs: Substituters, store: Store, found: Offer, n: ResolvedNode, emit: (e: EngineEvent) => void): Promise<Fetched | undefined> {
  emit({ kind: 'fetching', ...ref(n), cache: found.cache });
  // Thinned as a namespace's progress is (one per 100 ms, the first and the last always): the NARs' bytes
  // arrive in blocks of 64 KiB to 1 MiB, a line each in a JSON log otherwise.
  const events = nodeEvents(ref(n), emit);
  try {
    // Held (protect.ts) from before the download until the realize ends: a concurrent gc cannot take an
    // object between its import (or the check that it is here) and the lookup of the reduction recorded for it.
    return await subs.fetch(store, found, {
      progress: (done, total) => events.emit({ kind: 'progress', done, total, unit: 'bytes' }),
      hold: (path) => env.protection.holdEntries([path], store),
    });
  } catch (e) {
    emit({ kind: 'cache-skipped', ...ref(n), message: `${found.cache}: ${(e as Error).message}; building instead` });
    return undefined;
  }
}

/**
 * Ask the run's caches for every output of each member under `spellings` (into `store`). True when
 * every output of every member was substituted; the caller then looks the members up as usual.
 */
export async function substitute(env: StepEnv, store: Store, members: readonly ResolvedNode[], spellings: readonly Spelling[]): Promise<boolean> {
  const subs = env.substituters;
  if (!subs?.any) return false;
  for (const [i, m] of members.entries()) {
    for (const output of Object.keys(m.signature.outputs)) {
      if (!(await substituteOne(env, subs, store, m, outputSpelling(m, spellings[i]!, output), (e) => env.emit(e)))) return false;
    }
  }
  return true;
}
