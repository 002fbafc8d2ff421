/**
 * The system calls a piece of nomia makes, counted with strace: a module
 * script (which may import dist/src through `distSrc`) run in a fresh Node
 * under `strace -f -e trace=<calls>`, its trace lines returned. For tests
 * of work not done twice, which no result shows.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

export { distSrc } from './cli.js';

/**
 * The trace lines of `script` (an ES module's text) for the calls `calls` (strace's `-e trace=` list);
 * `paths`: each file descriptor followed by its path (`fsync(7</store/db.sqlite-wal>)`, strace's `-y`).
 */
export function traced(script: string, calls: string, options: { readonly paths?: boolean } = {}): string[] {
  const out = join(tempDir('syscalls'), 'trace');
  const r = spawnSync('strace', ['-f', ...(options.paths ? ['-y'] : []), '-e', `trace=${calls}`, '-o', out, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '');
}
