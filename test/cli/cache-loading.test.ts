/**
 * A realize with no binary cache configured does not load the cache clients
 * (HTTP, signature checks, NAR restore): every short-lived command would
 * pay for reading and compiling them (docs/engine.md, "What a process pays
 * for"). With a cache, they are loaded and asked as before.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/cli.js';
import { modulesLoaded } from '../support/modules-loaded.js';
import { requireTool } from '../support/tools.js';

/** The modules of dist/src/cache/ that `nomia realize ARGS…` opened, by file name. */
function cacheModulesLoaded(store: string, args: readonly string[]): string[] {
  return modulesLoaded(store, ['realize', '--log-format', 'plain', ...args]).flatMap((m) => /^cache\/([\w-]+\.js)$/.exec(m)?.[1] ?? []);
}

test('a realize without a binary cache loads no cache client; with one it does', (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const dir = tempDir('cache-loading');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'a'), 'a\n');
  writeFileSync(join(dir, 'b'), 'b\n');
  // Each name is new to the store, so the full command runs the engine (no memo answers).
  const without = cacheModulesLoaded(store, [`filesystem:import?path=${join(dir, 'a')}`]);
  assert.ok(!without.includes('substituters.js') && !without.includes('transport-http.js'), `loaded ${without.join(', ')}`);
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  const withCache = cacheModulesLoaded(store, ['--substituter', `file://${cache}`, `filesystem:import?path=${join(dir, 'b')}`]);
  assert.ok(withCache.includes('substituters.js') && withCache.includes('transport-file.js'), `loaded ${withCache.join(', ')}`);
});
