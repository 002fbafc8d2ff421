/**
 * Which memos of whole names (engine/memo.ts) a gc leaves stale: those
 * whose results mention an object the sweep deleted. A memo is a cache,
 * safe to keep only while it cannot answer with a deleted object. Its
 * results are its answer: `nomia realize` checks each result is in the
 * store before it answers, but `nomia ninja`'s no-op (front-end/ninja-memo.ts)
 * answers from the build directory without touching the store, and would
 * call a build whose objects are gone up to date (and leave it unrooted).
 *
 * The store knows nothing of names or resources, so a memo's results are
 * read as text for the entries they mention (`<hash part>-<name>`, as a
 * path under the store directory is spelled). The whole entry counts, not
 * the hash part alone: the hash part is the content's, so an input file and
 * an output with the same bytes but other names share it, and one of them
 * may be deleted while the other is kept. A name is matched as a prefix of
 * what follows its hash part: at worst a memo is dropped that could have
 * stayed, never kept when it names a deleted object.
 *
 * What else a memo holds needs no sweep: its dependencies are files statted
 * again on every use (a deleted one stats differently: a miss), and its
 * per-node record (engine/memo-nodes.ts) is held object by object before it
 * is used (a node whose output is gone is realized).
 */
import { HASH_PART_LENGTH, hashPart } from './scan.js';
import type { Store } from './store.js';

/** Whether `text` mentions one of the entries `names` holds by hash part (their names). */
function mentions(text: string, names: ReadonlyMap<string, readonly string[]>): boolean {
  for (let at = text.indexOf('-', HASH_PART_LENGTH); at >= 0; at = text.indexOf('-', at + 1)) {
    const candidates = names.get(text.slice(at - HASH_PART_LENGTH, at));
    if (candidates?.some((name) => text.startsWith(name, at + 1))) return true;
  }
  return false;
}

/** The keys of the memos whose results mention one of the objects `dead` (store entries). */
export function memosMentioning(store: Store, dead: readonly string[]): string[] {
  if (dead.length === 0) return [];
  const names = new Map<string, string[]>();
  for (const entry of dead) {
    const part = hashPart(entry);
    const list = names.get(part) ?? [];
    list.push(entry.slice(HASH_PART_LENGTH + 1));
    names.set(part, list);
  }
  return store.db.memosResults().filter((m) => mentions(m.results, names)).map((m) => m.key);
}
