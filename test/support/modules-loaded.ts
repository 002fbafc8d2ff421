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

/** The paths `nomia --store STORE ARGS…` opened (successfully or not), one per `openat`, with its flags, in order. */
export function filesOpened(store: string, args: readonly string[], cwd?: string): { path: string; flags: string; failed: boolean }[] {
  const trace = join(tempDir('modules-loaded'), 'trace');
  const r = spawnSync('strace', ['-f', '-e', 'trace=openat', '-o', trace, process.execPath, bin, '--store', store, ...args], { encoding: 'utf8', env: env(), ...(cwd ? { cwd } : {}) });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(trace, 'utf8').split('\n').flatMap((l) => {
    const m = /openat\([^,]+, "([^"]+)", ([A-Z_|]+)/.exec(l);
    return m ? [{ path: m[1]!, flags: m[2]!, failed: l.includes('ENOENT') }] : [];
  });
}

/** The files `nomia --store STORE ARGS…` opened under dist/src/ (as `store/add.js`) and node_modules/ (as `commander/index.js`), sorted. */
export function modulesLoaded(store: string, args: readonly string[], cwd?: string): string[] {
  const opened = filesOpened(store, args, cwd).filter((o) => !o.failed);
  return [...new Set(opened.flatMap((o) => /\/(?:dist\/src|node_modules)\/(.+\.(?:js|mjs|cjs|node))$/.exec(o.path)?.[1] ?? []))].sort();
}
