/**
 * `nomia gc --dry-run` reports what `nomia gc` then does, for the caches
 * the namespaces keep beside the store too (docs/store.md, "gc"). Found by a
 * new user's walkthrough: after a `nomia ninja` build, the dry run listed
 * the unrooted toolchain among the objects to delete but none of cc's
 * compile hints made with it (nor deb's hints of its packages), and the gc
 * itself then deleted them: a namespace's collection looked at the store
 * before the sweep, where a dry run deletes nothing. The toolchain is the
 * host's files (no package database), so nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

test('the dry run counts the compile hints of a toolchain it would delete, as the gc then deletes them', (t) => {
  if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'gcc', 'gcc')) return;
  const dir = tempDir('gc-dry-run');
  const store = join(dir, 'store');
  const env = { DPKG_ADMINDIR: join(dir, 'no-dpkg') };
  mkdirSync(env.DPKG_ADMINDIR);
  writeFileSync(join(dir, 'a.c'), 'int a(void) { return 1; }\n');
  const built = nomia(store, ['realize', 'cc:compile?args=[-O2](src: filesystem:import?path=./a.c, toolchain: deb:host-files?paths=[/usr/bin/gcc])'], { cwd: dir, env });
  assert.equal(built.code, 0, built.err.slice(-3000));

  const dry = nomia(store, ['gc', '--dry-run'], { cwd: dir, env });
  assert.equal(dry.code, 0, dry.err);
  const real = nomia(store, ['gc'], { cwd: dir, env });
  assert.equal(real.code, 0, real.err);
  const caches = (out: string, verb: string) => out.split('\n').filter((l) => l.startsWith(`${verb} `) && l.includes(' cache, ')).map((l) => l.slice(verb.length + 1).replace(/, [^,]*$/, ''));
  assert.ok(caches(real.out, 'deleted').some((l) => / of the cc cache$/.test(l)), `the gc deleted the compile's hint:\n${real.out.slice(-2000)}`);
  assert.deepEqual(caches(dry.out, 'would delete'), caches(real.out, 'deleted'), 'the dry run announced the same cache entries');
});
