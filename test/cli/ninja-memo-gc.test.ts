/**
 * `nomia ninja`'s memo through `nomia gc` (store/memos-gc.ts, docs/store.md
 * "What gc does to memos"): a gc that deletes other objects keeps the
 * build's memo, so the next no-op is still answered from it (before
 * 2026-11-28 any deleted object dropped every memo); a gc that deletes the
 * build's own objects (its out-link removed) drops it, so the next build
 * realizes again and roots its results, rather than calling a build whose
 * objects are gone up to date (the ninja no-op answers from the build
 * directory without touching the store). The toolchain is the host's
 * files (no package database), so nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { existsSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nextSecond } from '../support/clock.js';
import { nomia } from '../support/cli.js';
import { hostFilesBuild } from '../support/host-files-build.js';
import { requireTool } from '../support/tools.js';

interface Event { readonly kind: string; readonly label?: string; readonly memo?: boolean }

test('a gc keeps the memo of a build whose objects it keeps, and drops it once it collected them', (t) => {
  if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'gcc', 'gcc')) return;
  const { dir, store, env, buildDir, gc } = hostFilesBuild('ninja-memo-gc');
  const at = buildDir('build');
  writeFileSync(join(at, 'main.c'), 'int f(void);\nint main(void) { return f() - 4; }\n');
  writeFileSync(join(at, 'f.c'), 'int f(void) { return 4; }\n');
  writeFileSync(join(at, 'build.ninja'), 'rule cc\n  command = /usr/bin/cc -O2 -c $in -o $out\n  deps = gcc\nrule link\n  command = /usr/bin/cc $in -o $out\nbuild main.o: cc main.c\nbuild f.o: cc f.c\nbuild prog: link main.o f.o\n');
  const build = () => {
    const r = nomia(store, ['ninja', '-C', at, '--log-format', 'json'], { cwd: dir, env });
    assert.equal(r.code, 0, r.err.slice(-3000));
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
    return { memo: events.find((e) => e.kind === 'done')?.memo === true, compiles: events.filter((e) => e.kind === 'realizing' && e.label?.startsWith('cc:compile')).length };
  };
  // Past the racy second of the files: the memo does not trust what changed in the second it was recorded.
  nextSecond();
  assert.equal(build().compiles, 2);
  assert.equal(build().memo, true, 'primed: the no-op is answered from the memo');

  // Something no root keeps, for the gc to delete.
  writeFileSync(join(dir, 'loose'), 'loose\n');
  assert.equal(nomia(store, ['realize', 'filesystem:import?path=./loose'], { cwd: dir, env }).code, 0);
  assert.ok(gc().some((p) => p.endsWith('-loose')), 'the gc deleted an object');
  assert.equal(build().memo, true, 'the build\'s objects were kept: still answered from the memo');

  const set = readlinkSync(join(at, '.nomia_ninja_root'));
  rmSync(join(at, '.nomia_ninja_root'));
  assert.ok(gc().some((p) => p.endsWith('-prog')), 'without its out-link the build\'s objects are collected');
  assert.ok(!existsSync(set));
  const again = build();
  assert.equal(again.memo, false, 'not answered from a memo whose objects are gone');
  assert.equal(again.compiles, 2, 'realized again');
  assert.ok(existsSync(readlinkSync(join(at, '.nomia_ninja_root'))), 'and rooted again');
});
