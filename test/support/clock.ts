/** The clock as the stat cache sees it (store/stat-cache.ts), for tests that change files between realizes. */

import { sleepSync } from '../../src/store/sleep-sync.js';

/** Wait into the next second of the clock: what changed before is then no longer racy. */
export function nextSecond(): void {
  const ms = 1000 - (Date.now() % 1000) + 20;
  sleepSync(ms);
}
