/**
 * A realize with no binary cache configured does not load the cache clients
 * (HTTP, signature threads, NAR restore): every short-lived command would
 * pay for reading and compiling them (docs/engine.md, "What a process pays
 * for"). With a cache, they are loaded and asked as before.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bin, env, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

/** The modules of dist/src/cache/ that `nomia realize ARGS…` opened, by file name. */
function cacheModulesLoaded(store: string, args: readonly string[]): string[] {
  const trace = join(tempDir('cache-loading-trace'), 'trace');
  const r = spawnSync('strace', ['-f', '-e', 'trace=openat', '-o', trace, process.execPath, bin, '--store', store, 'realize', '--log-format', 'plain', ...args], { encoding: 'utf8', env: env() });
  assert.equal(r.status, 0, r.stderr);
  return [...new Set(readFileSync(trace, 'utf8').split('\n').flatMap((l) => /\/dist\/src\/cache\/([\w-]+\.js)"/.exec(l)?.[1] ?? []))].sort();
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
