/**
 * Blocking the thread for a moment, for the few places that must wait
 * without returning to the event loop: a database set-up retried while
 * SQLite is busy (database.ts), a non-blocking standard input with nothing
 * yet to read (cli/input.ts). It lives in the store, the lowest layer, so
 * that both can use it.
 */

/** One cell to wait on: nobody ever notifies it, so every wait runs its full time. */
const cell = new Int32Array(new SharedArrayBuffer(4));

/** Block this thread for `ms` milliseconds (no timers, no callbacks run meanwhile). */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}
