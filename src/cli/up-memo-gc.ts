/**
 * Garbage collection of the memo of `nomia up` (`services/up-memo/`,
 * up-memo.ts), run by `nomia gc` (docs/store.md, "gc"): an entry is deleted
 * once the service it names is not among those the supervisor runs (its
 * saved state, which it rewrites on every change, so no question to it is
 * needed). Such an entry answers nothing (the memo answers only for a
 * running service) until the same name is brought up again, which the
 * full path does and then memoizes anew. A writer's temporary file holds
 * an id too, of a service that runs while it is written, and is judged the
 * same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntries, sweepCache, type CacheCollection } from '../namespace/index.js';
import { servicesDir } from '../namespaces/service/protocol.js';
import { loadState } from '../namespaces/service/saved-state.js';
import { memoDir } from './up-memo.js';

/** Collect the memo of `up` in the store at `home` (see above). */
export function gcUpMemo(home: string, action: 'delete' | 'list-dead'): CacheCollection {
  const running = new Set(loadState(servicesDir(home)).map((s) => s.spec.id));
  const dir = memoDir(home);
  const dead = cacheEntries(dir).map((e) => join(dir, e)).filter((path) => !running.has(idIn(path)));
  return sweepCache(home, dead, action);
}

function idIn(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
