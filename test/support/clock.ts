/** The clock as the stat cache sees it (store/stat-cache.ts), for tests that change files between realizes. */

/** Wait into the next second of the clock: what changed before is then no longer racy. */
export function nextSecond(): void {
  const ms = 1000 - (Date.now() % 1000) + 20;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
