/**
 * Job slots: at most `n` namespaces realizing at once (`--jobs`), shared by
 * a realize and every realize its builds ask for through the daemon. A
 * build waiting for such a request lends its slot for the wait (as a make
 * waiting for a sub-make gives back its jobserver token): otherwise, with
 * `--jobs 1`, the build would hold the only slot its request needs. A task
 * whose commands are done releases its slot for good (`Slot.release`): what
 * it has left (storing and recording its results) is not a command, and
 * `-j N` bounds the commands running, as ninja's and make's do.
 *
 * With a load limit (ninja's `-l N`), a slot is not handed out while the
 * system's load average is at or above it and some task holds one; with
 * none held, the next task starts whatever the load, so a build always
 * makes progress. The load is read again each time a slot is freed, as
 * ninja reads it when a command ends.
 */
import { loadavg } from 'node:os';

/** A running task's hold on its slot. */
export interface Slot {
  /**
   * Give the slot back while `wait` runs and take one again before
   * returning. Concurrent lends from one task give back one slot.
   */
  lend<T>(wait: () => Promise<T>): Promise<T>;
  /**
   * Give the slot back for good: the task runs no further command (what it
   * has left is its own bookkeeping). A lend afterwards takes no slot back.
   */
  release(): void;
}

export interface Slots {
  /** Run `task` holding a slot; it waits for one if all are taken. */
  run<T>(task: (slot: Slot) => Promise<T>): Promise<T>;
}

/** How slots are handed out besides their number. */
export interface SlotsOptions {
  /** ninja's `-l`: no new task while the load average is at least this and a task holds a slot; absent or ≤ 0: no limit. */
  readonly maxLoad?: number;
  /** The system's one-minute load average; default `os.loadavg()[0]` (a test gives its own). */
  readonly loadAverage?: () => number;
}

export function slots(n: number, options: SlotsOptions = {}): Slots {
  const total = Math.max(1, n);
  let free = total;
  const queue: (() => void)[] = [];
  const { maxLoad } = options;
  const load = options.loadAverage ?? (() => loadavg()[0]!);
  // Only while another task holds a slot: with none, waiting for the load to drop could wait for ever.
  const overloaded = () => maxLoad !== undefined && maxLoad > 0 && free < total && load() >= maxLoad;
  const take = async () => {
    if (free > 0 && queue.length === 0 && !overloaded()) free--;
    else await new Promise<void>((r) => queue.push(r));
  };
  // A freed slot goes straight to the first waiter, so no newcomer overtakes it.
  const give = () => {
    free++;
    while (free > 0 && queue.length > 0 && !overloaded()) {
      free--;
      queue.shift()!();
    }
  };
  return {
    async run(task) {
      await take();
      let held = true;
      let lent = 0;
      let done = false;
      let released = false;
      let taking: Promise<void> | undefined;
      // One take at a time: a lend that ends while another's take is pending waits for that one.
      const reclaim = () => (taking ??= take().then(() => {
        taking = undefined;
        // A new lend began, or the task ended, while the slot was awaited: it is not needed.
        if (lent > 0 || done || released) give();
        else held = true;
      }));
      const slot: Slot = {
        async lend(wait) {
          if (lent++ === 0 && held) {
            held = false;
            give();
          }
          try {
            return await wait();
          } finally {
            if (--lent === 0 && !done && !released) await reclaim();
          }
        },
        release() {
          released = true;
          if (held) {
            held = false;
            give();
          }
        },
      };
      try {
        return await task(slot);
      } finally {
        done = true;
        if (held) {
          held = false;
          give();
        }
      }
    },
  };
}
