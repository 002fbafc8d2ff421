/**
 * Taking knowledge back (DESIGN.md §7): `retract` removes a user assertion,
 * `forget` the recorded reductions of a name, so that its next realize runs
 * it again. Neither touches the store's objects (gc does, once nothing roots
 * them).
 */
import { NomiaError } from '../errors.js';
import { parseName } from '../name/parse.js';
import type { Spelling } from '../graph/spell.js';
import type { Registry } from '../namespace/registry.js';
import type { ReductionRow } from '../store/database.js';
import type { Store } from '../store/store.js';
import { engineSpelling } from './reductions.js';
import { prepare } from './resolve.js';
import { GRAPH, graphKey } from './whole-name.js';

/** The emitter of user assertions (`nomia reduce A => B`). */
const USER = 'user';

/**
 * Remove the user's assertion `from => to` (both as printed names).
 * @throws NomiaError `usage` when no such assertion is recorded.
 */
export async function retract(store: Store, from: string, to: string, registry: Registry): Promise<ReductionRow> {
  const spelling = await engineSpelling(from, registry);
  const row = spelling && store.db.reductionsFrom(spelling).find((r) => r.namespace === USER);
  if (!spelling || !row || row.to !== to) {
    throw new NomiaError('usage', `no assertion \`${from} => ${to}\` is recorded${row ? ` (the one from ${from} is \`=> ${row.to}\`)` : ''}`, {
      hint: `\`nomia reductions '${from}'\` shows what is recorded`,
    });
  }
  store.db.immediate(() => store.db.deleteReduction(row.from, USER));
  return row;
}

/**
 * Forget what realizing `text` recorded: the reductions from the name's spelling, the
 * whole-name row, and the other spellings of the same node (its re-spellings from refined
 * inputs, which reduce to the same result under the same namespace). User assertions stay
 * (`retract` removes those).
 * @returns the rows removed (none when nothing was recorded).
 */
export async function forget(store: Store, text: string, registry: Registry): Promise<ReductionRow[]> {
  const spelling = await engineSpelling(text, registry);
  if (!spelling) throw new NomiaError('usage', `${text} cannot be spelled`, { hint: 'qualify every name with its namespace' });
  let whole: string | undefined;
  try {
    whole = prepare(parseName(text), registry, text).spellings.name;
  } catch {
    whole = undefined;
  }
  return store.db.immediate(() => {
    const first = store.db.reductionsFrom(spelling).filter((r) => r.kind !== 'asserted' && !r.namespace.startsWith('engine:'));
    const same = first.flatMap((r) => store.db.reductionsTo(r.to).filter((o) => o.namespace === r.namespace && o.kind !== 'asserted'));
    const graph = whole === undefined ? [] : [...new Set([whole, graphKey(whole as Spelling, registry)])].flatMap((w) => store.db.reductionsFrom(w).filter((r) => r.namespace === GRAPH));
    const removed = new Map<string, ReductionRow>();
    for (const r of [...first, ...same, ...graph]) removed.set(`${r.from}\0${r.namespace}`, r);
    for (const r of removed.values()) store.db.deleteReduction(r.from, r.namespace);
    return [...removed.values()];
  });
}
