/**
 * The json-c fixture of the ninja tests: a toolchain closure to build it
 * with, and json-c's Debian source copied to `<dir>/json-c`, writable.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { nomia } from './cli.js';

/** Realize the toolchain and json-c's source on `store`; the toolchain's path and the source copy's. */
export function jsonCFixture(store: string, dir: string): { toolchain: string; source: string } {
  const tc = nomia(store, ['realize', 'deb:closure?packages=[cmake, gcc, libc6-dev]'], { cwd: dir });
  assert.equal(tc.code, 0, tc.err);
  const src = nomia(store, ['realize', 'deb:source?package=json-c'], { cwd: dir });
  assert.equal(src.code, 0, src.err);
  const source = join(dir, 'json-c');
  cpSync(src.out.split('\n')[1]!, source, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', source]);
  return { toolchain: tc.out.split('\n')[0]!, source };
}
