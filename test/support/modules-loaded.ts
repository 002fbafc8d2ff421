/**
 * Which of Nomia's compiled modules (and npm packages) a `nomia` process
 * opened, read from `strace`: how tests pin what a command's path loads
 * without timing it (docs/engine.md, "What a process pays for").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, env, tempDir } from './cli.js';

/** The files `nomia --store STORE ARGS…` opened under dist/src/ (as `store/add.js`) and node_modules/ (as `commander/index.js`), sorted. */
export function modulesLoaded(store: string, args: readonly string[], cwd?: string): string[] {
  const trace = join(tempDir('modules-loaded'), 'trace');
  const r = spawnSync('strace', ['-f', '-e', 'trace=openat', '-o', trace, process.execPath, bin, '--store', store, ...args], { encoding: 'utf8', env: env(), ...(cwd ? { cwd } : {}) });
  assert.equal(r.status, 0, r.stderr);
  const opened = readFileSync(trace, 'utf8').split('\n').filter((l) => !l.includes('ENOENT'));
  return [...new Set(opened.flatMap((l) => /\/(?:dist\/src|node_modules)\/([^"]+\.(?:js|mjs|cjs|node))"/.exec(l)?.[1] ?? []))].sort();
}
