/**
 * gc of the deb namespace's cache (src/namespaces/deb/cache-gc.ts) with real
 * realizes against the archive apt is configured with: the downloads a
 * running realize staged are kept, those of a realize that was killed are
 * deleted (after a dry run that only lists them), hints go with the
 * objects they name, and apt's kept answers with the index they were made
 * against.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test, type TestContext } from 'node:test';
import { nomia, nomiaAsync, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

// Small enough to download twice, big enough (hello with Debian's Essential set: dozens of packages) that its staged files wait a while.
const CLOSURE = 'deb:closure?packages=[hello]';
const store = join(tempDir('deb-gc'), 'store');
const staged = join(store, 'cache', 'deb', 'staged');

interface DebCacheGc { readonly removed: readonly string[]; readonly bytesFreed: number; readonly inUse: number }

function gc(...flags: string[]): DebCacheGc {
  const r = nomia(store, ['gc', '--json', ...flags]);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { caches: { deb: DebCacheGc } }).caches.deb;
}

/** The .deb files staged by the process `pid`. */
function stagedBy(pid: number): string[] {
  const dir = readdirSync(staged).find((d) => d.startsWith(`${pid}-`));
  return dir === undefined ? [] : readdirSync(join(staged, dir)).map((f) => join(staged, dir, f));
}

/** Start realizing the closure; resolves once its downloads are staged (and before its trees are all stored). */
async function realizeUntilStaged(): Promise<{ child: ChildProcess; files: string[]; done: Promise<{ code: number | null; err: string }> }> {
  const child = nomiaAsync(store, ['realize', '--log-format', 'plain', CLOSURE]);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; err: string }>((resolve) => child.on('close', (code) => resolve({ code, err })));
  for (;;) {
    const files = existsSync(staged) ? stagedBy(child.pid!) : [];
    if (files.length > 0) return { child, files, done };
    if (child.exitCode !== null) assert.fail(`the realize ended before its downloads were staged:\n${err}`);
    await sleep(10);
  }
}

describe('gc of the deb cache', () => {
  const tools = (t: TestContext) => requireTool(t, 'apt-get', 'apt');

  test('a killed realize\'s staged downloads are deleted by gc (a dry run only lists them)', async (t) => {
    if (!tools(t)) return;
    const { child, files, done } = await realizeUntilStaged();
    child.kill('SIGKILL');
    await done;
    const left = files.filter((f) => existsSync(f));
    assert.ok(left.length > 0, 'the killed realize left staged downloads');
    const dir = `cache/deb/staged/${readdirSync(staged).find((d) => d.startsWith(`${child.pid}-`))}`;
    const dry = gc('--dry-run');
    assert.ok(dry.removed.includes(dir), JSON.stringify(dry));
    assert.ok(dry.bytesFreed > 0);
    assert.ok(left.every((f) => existsSync(f)), 'a dry run deletes nothing');
    const real = gc();
    assert.ok(real.removed.includes(dir), JSON.stringify(real));
    assert.ok(left.every((f) => !existsSync(f)), 'gc deleted them');
    assert.deepEqual(gc().removed.filter((p) => p.startsWith('cache/deb/staged/')), [], 'nothing staged is left to delete');
  });

  test('a running realize\'s staged downloads are kept by gc, and the realize completes', async (t) => {
    if (!tools(t)) return;
    const { child, files, done } = await realizeUntilStaged();
    const r = gc();
    const mine = `cache/deb/staged/${readdirSync(staged).find((d) => d.startsWith(`${child.pid}-`))}`;
    assert.deepEqual(r.removed.filter((p) => p.startsWith(mine)), [], JSON.stringify(r));
    assert.ok(r.inUse > 0, JSON.stringify(r));
    const end = await done;
    assert.equal(end.code, 0, end.err);
    // Every package was downloaded by the closure's prefetch: no exact name had to fetch its file again after the gc.
    assert.match(end.err, /> downloading \d+ package files/);
    assert.doesNotMatch(end.err, /^ {2}deb:exact[^>]*> downloading/m, end.err);
    assert.ok(files.every((f) => !existsSync(f)), 'each staged file is removed once its tree is stored');
  });

  test('a hint goes with the package tree it names; one whose tree is rooted stays', (t) => {
    if (!tools(t)) return;
    const red = nomia(store, ['reductions', CLOSURE]);
    const hello = /deb:exact\?package=hello&[^,)]+/.exec(red.out)?.[0];
    assert.ok(hello, red.out);
    const rooted = nomia(store, ['realize', '--root', 'keep', hello]);
    assert.equal(rooted.code, 0, rooted.err);
    const known = join(store, 'cache', 'deb', 'known');
    const keep = /sha256=([0-9a-f]{64})/.exec(hello)![1]!;
    const before = readdirSync(known);
    assert.ok(before.length > 10 && before.includes(keep));
    // Nothing else is rooted: the store's sweep deletes the other trees, and their hints go after them.
    const r = gc();
    assert.deepEqual(r.removed.filter((p) => p.startsWith('cache/deb/known/')).sort(), before.filter((h) => h !== keep).map((h) => `cache/deb/known/${h}`).sort());
    assert.deepEqual(readdirSync(known), [keep]);
  });

  test('apt\'s kept answers stay until the index is refreshed', (t) => {
    if (!tools(t)) return;
    const answers = join(store, 'cache', 'deb', 'answers');
    const kept = readdirSync(answers);
    assert.ok(kept.length > 0, 'the closure\'s question was answered and kept');
    assert.deepEqual(gc().removed.filter((p) => p.startsWith('cache/deb/answers/')), []);
    // What apt-get update leaves: the stamp of the index's refresh, newer than every answer.
    const later = new Date(Date.now() + 1000);
    utimesSync(join(store, 'cache', 'deb', 'updated'), later, later);
    assert.deepEqual(gc().removed.filter((p) => p.startsWith('cache/deb/answers/')).sort(), kept.map((a) => `cache/deb/answers/${a}`).sort());
    assert.deepEqual(readdirSync(answers), []);
  });
});
