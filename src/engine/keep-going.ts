/**
 * When a realize stops, and what it waits for before it fails: after how
 * many nodes' own failures nothing new starts (`keepGoing`, ninja's `-k N`:
 * 1 stops at the first, 0 never stops), and, once the roots failed, the
 * nodes that need no failed one, which run on to their end (their results
 * are recorded) before the realize fails. A dry run (`dryRun`) stops the
 * same way at a node that would run (`WouldRun`) and lets every other node
 * be looked up, so that it counts all that would run. What still runs when
 * the realize throws is let finish, so its caller may close the store at
 * once.
 */
import type { Outputs } from './outputs.js';
import { Cancelled, WouldRun } from './step.js';

/** The stopping rule of one realize's graph. */
export interface Stopping {
  /** Aborted once nothing new may start. */
  readonly signal: AbortSignal;
  /** A node failed on its own (its `failed` event; one that only needed a failed node does not count). */
  nodeFailed(): void;
  /**
   * The roots failed with `e`: abort unless the rule lets the run go on, wait until every node asked for has
   * settled (settling one may ask for more: a node asks for its inputs only once its lookups missed), and
   * give the error the realize fails with: `e`, or in a dry run the first real failure behind a `WouldRun`.
   */
  settle(e: unknown, asked: ReadonlyMap<number, Promise<Outputs>>): Promise<unknown>;
}

/**
 * The rule for a realize that may have `limit` nodes fail before nothing new starts (0: no limit), and that
 * is a dry run or not.
 */
export function stopping(limit: number, dryRun: boolean): Stopping {
  const cancel = new AbortController();
  let failures = 0;
  const stopped = () => limit > 0 && failures >= limit;
  return {
    signal: cancel.signal,
    nodeFailed() {
      failures++;
      if (stopped()) cancel.abort();
    },
    async settle(e, asked) {
      // Keeping going (or in a dry run), everything that needs no failed node goes on (each node was asked
      // for before the roots could fail); a failure without a node's event (an engine error) stops the run.
      const dry = dryRun && e instanceof WouldRun;
      if (!dry && (failures === 0 || stopped())) cancel.abort();
      let settled: PromiseSettledResult<Outputs>[] = [];
      for (let n = -1; n !== asked.size;) {
        n = asked.size;
        settled = await Promise.allSettled([...asked.values()]);
      }
      // A dry run that also failed fails with that error, not with what would run.
      const failure = dry ? settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof WouldRun) && !(s.reason instanceof Cancelled)) : undefined;
      return failure ? failure.reason : e;
    },
  };
}
