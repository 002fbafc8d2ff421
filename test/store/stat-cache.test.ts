/**
 * The stat cache of imports: an unchanged path is answered without a read,
 * and no change (content keeping size and mtime, a rename over, a mode bit,
 * a symlink swap, entries added or removed, a racy rewrite) is ever missed.
 * Each change is checked against `hashPath` (a full read) as the oracle.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { gc } from '../../src/store/gc.js';
import { importPath } from '../../src/store/import-path.js';
import { hashPath } from '../../src/store/nar.js';
import { self } from '../../src/store/process.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SCHEMA_VERSION } from '../../src/store/database.js';
import { nomia, tempDir } from '../support/cli.js';

const root = tempDir('stat-cache');
const stores: Store[] = [];
after(() => {
  for (const s of stores) s.close();
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
function fresh(): { store: Store; dir: string } {
  const dir = join(root, `case${n++}`);
  mkdirSync(dir, { recursive: true });
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  stores.push(store);
  return { store, dir };
}

/** A path's mtime in nanoseconds. */
const mtimeOf = (path: string): bigint => lstatSync(path, { bigint: true }).mtimeNs;

/** Set a path's mtime back to what it was, to the nanosecond (`touch -d @s.ns`), so only ctime and content tell. */
function keepMtime(path: string, ns: bigint): void {
  const s = ns / 1_000_000_000n;
  execFileSync('touch', ['-h', '-d', `@${s}.${String(ns - s * 1_000_000_000n).padStart(9, '0')}`, path]);
  assert.equal(mtimeOf(path), ns);
}

/** Wait until the wall clock is in a later second than `ms`, so that what was written at `ms` is not racy. */
function nextSecond(ms: number): void {
  const next = (Math.floor(ms / 1000) + 1) * 1000 + 20;
  while (Date.now() < next) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, next - Date.now());
}

/**
 * Take the racy guard out of play: stamp `path`'s entry far in the future, as
 * if every change below had been made long before it was recorded. What the
 * import then notices, the stats alone told (the guard catches most changes
 * on its own, since any edit moves ctime past the stamp).
 */
function outOfRace(store: Store, path: string): void {
  const db = new Database(join(store.layout.home, 'db.sqlite'));
  const changed = db.prepare('UPDATE stat_cache SET stamp_ns = ? WHERE path = ?').run(1n << 62n, Buffer.from(path)).changes;
  db.close();
  assert.equal(changed, 1, `no entry for ${path}`);
}

/** Import, and check the hash against a full read. */
async function importChecked(store: Store, path: string) {
  const r = await importPath(store, path);
  assert.equal(r.object.hash, (await hashPath(path)).hash, `the stat cache gave a stale hash for ${path}`);
  return r;
}

/** A tree imported once, old enough that its entry is trusted, and imported again from the cache. */
async function settled(files: Record<string, string>) {
  const { store, dir } = fresh();
  const tree = join(dir, 'tree');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(tree, rel, '..'), { recursive: true });
    writeFileSync(join(tree, rel), content);
  }
  const written = Date.now();
  nextSecond(written);
  const first = await importChecked(store, tree);
  const second = await importChecked(store, tree);
  assert.equal(second.read, false, 'an unchanged tree is answered by the stat cache');
  return { store, tree, first };
}

describe('stat cache: unchanged paths are not read', () => {
  test('a file, a directory, a symlink and a dangling one imported again are not read; the object is the same', async () => {
    const { store, dir } = fresh();
    writeFileSync(join(dir, 'f'), 'content\n');
    mkdirSync(join(dir, 'd/sub'), { recursive: true });
    writeFileSync(join(dir, 'd/sub/x'), 'x');
    symlinkSync('f', join(dir, 'l'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    nextSecond(Date.now());
    for (const p of ['f', 'd', 'l', 'dangling']) {
      const a = await importChecked(store, join(dir, p));
      assert.equal(a.read, true);
      const b = await importChecked(store, join(dir, p));
      assert.equal(b.read, false, `${p} again`);
      assert.equal(b.object.path, a.object.path);
      assert.equal(b.added, false);
    }
  });

  test('a cache hit whose object was collected copies it in again', async () => {
    const { store, tree, first } = await settled({ a: 'a\n' });
    // Drop this process's temporary roots, so gc sees the object as dead.
    const me = self();
    store.db.removeTempRoots(me.pid, me.pidStart);
    const collected = gc(store, { action: 'delete' });
    assert.ok(collected.dead.includes(first.object.path), 'the object was collected');
    const again = await importChecked(store, tree);
    assert.equal(again.added, true);
    assert.equal(readFileSync(join(store.layout.storeDir, again.object.path, 'a'), 'utf8'), 'a\n');
  });

  test('--rehash (statCache: false) reads the path even when the cache would answer', async () => {
    const { store, tree } = await settled({ a: 'a\n' });
    assert.equal((await importPath(store, tree, { statCache: false })).read, true);
  });
});

describe('stat cache: the CLI', () => {
  test('nomia add answers an unchanged path from the cache; --rehash reads it and records it again', () => {
    const dir = join(root, `cli${n++}`);
    mkdirSync(dir, { recursive: true });
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'f'), 'f\n');
    nextSecond(Date.now());
    const stamp = () => {
      const db = new Database(join(store, 'db.sqlite'), { readonly: true });
      const row = db.prepare('SELECT stamp_ns FROM stat_cache').safeIntegers(true).get() as { stamp_ns: bigint };
      db.close();
      return row.stamp_ns;
    };
    assert.equal(nomia(store, ['add', join(dir, 'f')]).code, 0);
    const first = stamp();
    nextSecond(Date.now());
    assert.equal(nomia(store, ['add', join(dir, 'f')]).code, 0);
    assert.equal(stamp(), first, 'a hit leaves the entry as it was');
    const r = nomia(store, ['add', '--rehash', join(dir, 'f')]);
    assert.equal(r.code, 0, r.err);
    assert.ok(stamp() > first, '--rehash read the path and recorded it with a new clock');
  });
});

describe('stat cache: never stale', () => {
  test('content changed keeping size and mtime (touch -d back)', async () => {
    const { store, tree, first } = await settled({ 'd/a': 'aaaa\n', b: 'b\n' });
    const p = join(tree, 'd/a');
    const mtime = mtimeOf(p);
    writeFileSync(p, 'AAAA\n');
    keepMtime(p, mtime);
    outOfRace(store, tree);
    const r = await importChecked(store, tree);
    assert.notEqual(r.object.hash, first.object.hash);
  });

  test('a single file changed keeping size and mtime', async () => {
    const { store, dir } = fresh();
    const p = join(dir, 'f');
    writeFileSync(p, 'one\n');
    nextSecond(Date.now());
    const first = await importChecked(store, p);
    const mtime = mtimeOf(p);
    writeFileSync(p, 'two\n');
    keepMtime(p, mtime);
    outOfRace(store, p);
    assert.notEqual((await importChecked(store, p)).object.hash, first.object.hash);
  });

  test('a file replaced by rename (same size, old mtime)', async () => {
    const { store, tree, first } = await settled({ a: 'first\n' });
    const p = join(tree, 'a');
    const mtime = mtimeOf(p);
    writeFileSync(join(tree, '..', 'new'), 'other\n');
    keepMtime(join(tree, '..', 'new'), mtime);
    renameSync(join(tree, '..', 'new'), p);
    outOfRace(store, tree);
    assert.notEqual((await importChecked(store, tree)).object.hash, first.object.hash);
  });

  test('a mode bit: chmod +x and back', async () => {
    const { store, tree, first } = await settled({ s: '#!/bin/sh\n' });
    chmodSync(join(tree, 's'), 0o755);
    outOfRace(store, tree);
    const exec = await importChecked(store, tree);
    assert.notEqual(exec.object.hash, first.object.hash);
    chmodSync(join(tree, 's'), 0o644);
    assert.equal((await importChecked(store, tree)).object.hash, first.object.hash);
  });

  test('a file swapped for a symlink of the same size', async () => {
    const { store, tree, first } = await settled({ a: 'xyz', xyz: 'target\n' });
    const p = join(tree, 'a');
    const mtime = mtimeOf(tree);
    unlinkSync(p);
    symlinkSync('xyz', p);
    keepMtime(tree, mtime);
    outOfRace(store, tree);
    assert.notEqual((await importChecked(store, tree)).object.hash, first.object.hash);
  });

  test('entries added, removed and renamed, also deep down, also empty ones and directories', async () => {
    const { store, tree, first } = await settled({ 'x/y/z': 'z\n', a: 'a\n' });
    const seen = new Set([first.object.hash]);
    const steps: (() => void)[] = [
      () => writeFileSync(join(tree, 'x/y/new'), ''),
      () => mkdirSync(join(tree, 'x/empty')),
      () => unlinkSync(join(tree, 'x/y/z')),
      () => rmSync(join(tree, 'x/empty'), { recursive: true }),
      () => renameSync(join(tree, 'a'), join(tree, 'b')),
      // Renaming a directory below the top leaves every stat that is compared alone: only the names tell.
      () => renameSync(join(tree, 'x/y'), join(tree, 'x/q')),
    ];
    for (const step of steps) {
      step();
      outOfRace(store, tree);
      const r = await importChecked(store, tree);
      assert.ok(!seen.has(r.object.hash), 'each step is new content');
      seen.add(r.object.hash);
    }
  });

  test('the racy case: written, imported and rewritten within the same second, keeping size', async () => {
    const { store, dir } = fresh();
    const p = join(dir, 'f');
    writeFileSync(p, 'v1\n');
    const first = await importChecked(store, p);
    writeFileSync(p, 'v2\n');
    const second = await importChecked(store, p);
    assert.notEqual(second.object.hash, first.object.hash);
  });

  test('the racy rule: on a coarse clock a same-second rewrite stats the same, and is still re-read', async () => {
    // This file system stamps in nanoseconds, so a rewrite always changes ctime. A coarse one (a second, a tick)
    // gives the rewrite the very stats recorded: make the entry say so, with the clock in the same second.
    const { store, dir } = fresh();
    const p = join(dir, 'f');
    writeFileSync(p, 'v1\n');
    const first = await importChecked(store, p);
    writeFileSync(p, 'v2\n');
    const st = statSync(p, { bigint: true });
    const db = new Database(join(store.layout.home, 'db.sqlite'));
    db.prepare('UPDATE stat_cache SET mtime_ns = ?, ctime_ns = ?, stamp_ns = ? WHERE path = ?')
      .run(st.mtimeNs, st.ctimeNs, (st.ctimeNs / 1_000_000_000n) * 1_000_000_000n + 999_999_999n, Buffer.from(p));
    db.close();
    const r = await importChecked(store, p);
    assert.equal(r.read, true);
    assert.notEqual(r.object.hash, first.object.hash);
    // Recorded again with a later clock, the entry is trusted once the second has passed.
    nextSecond(Number(st.ctimeNs / 1_000_000n));
    await importChecked(store, p);
    assert.equal((await importChecked(store, p)).read, false);
  });
});

describe('stat cache: schema', () => {
  test('a version 1 database is migrated, keeping its objects', async () => {
    const { store, dir } = fresh();
    writeFileSync(join(dir, 'f'), 'kept\n');
    const { object } = await importPath(store, join(dir, 'f'));
    store.close();
    const path = join(store.layout.home, 'db.sqlite');
    const db = new Database(path);
    db.exec('DROP TABLE stat_cache');
    db.pragma('user_version = 1');
    db.close();
    const reopened = openStore({ dir: store.layout.home, fsync: false });
    stores.push(reopened);
    assert.equal(reopened.db.object(object.path)?.hash, object.hash);
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.ok(check.prepare("SELECT name FROM sqlite_master WHERE name = 'stat_cache'").get());
    check.close();
    assert.equal((await importPath(reopened, join(dir, 'f'))).object.path, object.path);
  });
});
