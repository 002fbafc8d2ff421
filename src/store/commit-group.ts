/**
 * Committing many finished trees at once: what a substitution restores,
 * hundreds of objects a second, registered in one transaction per group
 * instead of one each (a transaction costs more than a small object's
 * restore).
 *
 * Crash story, `commitObject`'s (commit.ts) for a group. Before the
 * transaction, every tree of the group is complete in tmp/ and, unless fsync
 * is off, flushed to disk (the caller's one `sync -f` for the group: "fsync
 * before the row" holds for each of them). Inside SQLite's write lock every
 * tree is renamed to store/<hash>-<name>, store/ is fsynced once, then the
 * rows are inserted, each after those of the objects it refers to, and the
 * whole is committed. A crash before the renames leaves only trees in tmp/
 * named for a dead process, which gc, `verify --repair` and the next open
 * remove; between the renames and the commit, unregistered entries of store/
 * (complete, their content matching their paths) that gc removes and
 * `verify --repair` registers; after it, complete objects.
 *
 * One object's failure (a reference that is not registered) is its own: its
 * row is rolled back to a savepoint and its tree moved back to tmp/, for its
 * caller to remove; the others commit. A failure of the transaction itself
 * (a full disk at COMMIT) is every object's, and every tree goes back.
 */
import { commitSteps, type CommitRequest, type CommitResult } from './commit.js';
import { fsyncDir } from './fs-util.js';
import { pinnedAfterCommit } from './temp-roots.js';
import type { Store } from './store.js';

/** One request's outcome: its result, or why it was not committed (its tree is then back at `req.tree`). */
export type GroupOutcome = { readonly ok: true; readonly result: CommitResult } | { readonly ok: false; readonly error: unknown };

/**
 * Commit `reqs` in one transaction, in their order (an object after the objects it refers to: a reference
 * may be an object earlier in `reqs`). Each tree must be complete and, with fsync on, flushed.
 */
export function commitObjects(store: Store, reqs: readonly CommitRequest[]): GroupOutcome[] {
  const outcomes: GroupOutcome[] = new Array(reqs.length);
  const steps = reqs.map((req, i) => {
    try {
      return commitSteps(store, req);
    } catch (error) {
      outcomes[i] = { ok: false, error };
      return undefined;
    }
  });
  const placed: { i: number; p: ReturnType<NonNullable<(typeof steps)[number]>['place']> }[] = [];
  try {
    store.db.immediate(() => {
      for (const [i, c] of steps.entries()) {
        if (!c) continue;
        try {
          const p = c.place(false);
          if (p.found) outcomes[i] = { ok: true, result: p.found };
          else placed.push({ i, p });
        } catch (error) {
          outcomes[i] = { ok: false, error: undoOne(c, error) };
        }
      }
      if (store.fsync && placed.length) fsyncDir(store.layout.storeDir);
      for (const { i, p } of placed) {
        const c = steps[i]!;
        try {
          // A savepoint: a failed registration takes back its own row only.
          outcomes[i] = { ok: true, result: store.db.immediate(() => c.register(p, false)) };
        } catch (error) {
          outcomes[i] = { ok: false, error: undoOne(c, error) };
        }
      }
    });
  } catch (error) {
    // The transaction failed: nothing of it is registered, every tree moved goes back.
    return reqs.map((_, i) => ({ ok: false, error: steps[i] ? undoOne(steps[i]!, error) : error }));
  }
  for (const o of outcomes) if (o?.ok) pinnedAfterCommit(store, o.result.object.path);
  return outcomes.map((o, i) => o ?? { ok: false, error: new Error(`request ${i} was not committed`) });
}

/** Undo one placed request (its tree back to tmp/ if it is ours and unregistered); the error to report. */
function undoOne(c: ReturnType<typeof commitSteps>, error: unknown): unknown {
  try {
    return c.undo(error);
  } catch (e) {
    return e;
  }
}
