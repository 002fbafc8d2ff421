/**
 * Keeping results (`realize --root`, `--out-link`, dead temporary roots) and checking and
 * redoing them (`--rebuild`, `--check`, `reduce --retract`, `reductions --forget`), through
 * the real CLI on temporary stores.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { nomia, tempDir } from '../support/cli.js';

const FAST = { NOMIA_FSYNC: '0' };
/** A name whose every run gives a different output. */
const varying = 'exec:run?args=[sh, -c, "date +%s%N > $out"]';
/** One whose every run gives the same output. */
const steady = 'exec:run?args=[sh, -c, "echo steady > $out"]';

function setup(prefix: string) {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  const run = (args: string[]) => nomia(store, args, { cwd: dir, env: FAST });
  const realize = (name: string, ...args: string[]) => {
    const r = run(['realize', '--log-format', 'json', ...args, name]);
    const [first, second] = r.out.trim().split('\n');
    return { ...r, name: first ?? '', path: second ?? '' };
  };
  return { dir, store, run, realize };
}

function gcDelete(run: (args: string[]) => { code: number | null; out: string; err: string }): { dead: string[]; expiredRoots: string[] } {
  const r = run(['gc', '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { dead: string[]; expiredRoots: string[] };
}

describe('keeping results', () => {
  test('realize --root R roots each result absolutely: gc keeps it until the root is removed', () => {
    const { run, realize } = setup('keep-root');
    const r = realize(steady, '--root', 'mine');
    assert.equal(r.code, 0, r.err);
    const roots = JSON.parse(run(['roots', '--json']).out) as { name: string; kind: string; object: string }[];
    assert.deepEqual(roots.map((x) => [x.name, x.kind, x.object]), [['mine', 'absolute', r.name]]);
    assert.deepEqual(gcDelete(run).dead, []);
    assert.ok(existsSync(r.path));
    assert.equal(run(['root', 'remove', 'mine']).code, 0);
    assert.equal(gcDelete(run).dead.length, 1);
    assert.ok(!existsSync(r.path));
  });

  test('realize -o PATH makes an out-link that roots the result while it exists and points there', () => {
    const { dir, run, realize } = setup('keep-outlink');
    const link = join(dir, 'result');
    const r = realize(steady, '-o', 'result');
    assert.equal(r.code, 0, r.err);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), r.path);
    const listed = JSON.parse(run(['roots', '--json']).out) as { name: string; kind: string; live: boolean; object: string }[];
    assert.deepEqual(listed.map((x) => [x.name, x.kind, x.live, x.object]), [[link, 'out-link', true, r.name]]);
    assert.deepEqual(gcDelete(run).dead, []);
    // Pointed elsewhere, it no longer roots anything: gc drops its registration and the object.
    rmSync(link);
    symlinkSync(dir, link);
    const gone = gcDelete(run);
    assert.equal(gone.dead.length, 1);
    assert.deepEqual(gone.expiredRoots, [`out-link ${link}`]);
    assert.ok(!existsSync(r.path));
    assert.deepEqual(JSON.parse(run(['roots', '--json']).out), []);
  });

  test('a removed out-link unroots; realize -o again re-creates it; a file in the way is refused', () => {
    const { dir, run, realize } = setup('keep-outlink-rm');
    const first = realize(steady, '-o', 'out');
    assert.equal(first.code, 0, first.err);
    rmSync(join(dir, 'out'));
    assert.equal(gcDelete(run).dead.length, 1);
    const again = realize(steady, '-o', 'out');
    assert.equal(again.code, 0, again.err);
    assert.equal(readlinkSync(join(dir, 'out')), again.path);
    writeFileSync(join(dir, 'file'), 'mine');
    const refused = realize(steady, '-o', 'file');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /error\[store\/root\]: .*file exists and is not a symlink/);
  });

  test('temporary roots of exited processes are not listed and are dropped at the next store open', () => {
    const { dir, store, run, realize } = setup('keep-temp');
    assert.equal(realize(steady).code, 0);
    assert.equal(run(['roots']).out.trim(), 'no roots');
    assert.equal(realize(varying).code, 0);
    writeFileSync(join(dir, 'f'), 'x');
    assert.equal(run(['add', join(dir, 'f')]).code, 0);
    // Only the add's own temporary root is left (its process has exited too: the next open drops it).
    const db = new Database(join(store, 'db.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT DISTINCT pid FROM temp_roots').all() as { pid: number }[];
    db.close();
    assert.equal(rows.length, 1, JSON.stringify(rows));
  });
});

describe('checking and redoing', () => {
  test('--check runs the node again: a different output is not reproducible (both hashes, exit 1) and the record stays', () => {
    const { realize } = setup('check');
    const first = realize(varying);
    assert.equal(first.code, 0, first.err);
    const check = realize(varying, '--check');
    assert.equal(check.code, 1, check.err);
    assert.match(check.err, /error\[realize\/not-reproducible\]: `exec:run\?args=\[sh, -c, "date \+%s%N > \$out"\]` is not reproducible/);
    const hashes = [...check.err.slice(check.err.indexOf('error[')).matchAll(/sha256=([0-9a-f]{64})/g)].map((m) => m[1]);
    assert.equal(hashes.length, 2, check.err);
    assert.equal(`filesystem:by-content?name=out&sha256=${hashes[0]}`, first.name);
    assert.notEqual(hashes[0], hashes[1]);
    assert.equal(realize(varying).name, first.name, 'the recorded result is kept');
  });

  test('--check of a reproducible node runs it and succeeds with the recorded result', () => {
    const { realize } = setup('check-ok');
    const first = realize(steady);
    const check = realize(steady, '--check');
    assert.equal(check.code, 0, check.err);
    assert.equal(check.name, first.name);
    assert.match(check.err, /"kind":"realizing"/);
    assert.match(check.err, /"ran":1/);
    const never = realize('exec:run?args=[sh, -c, "echo never > $out"]', '--check');
    assert.equal(never.code, 1);
    assert.match(never.err, /nothing is recorded for .* to check against/);
  });

  test('--rebuild runs the node although a result is recorded, and records the new one', () => {
    const { realize } = setup('rebuild');
    const first = realize(varying);
    assert.match(realize(varying).err, /"ran":0/);
    const rebuilt = realize(varying, '--rebuild');
    assert.equal(rebuilt.code, 0, rebuilt.err);
    assert.notEqual(rebuilt.name, first.name);
    assert.equal(realize(varying).name, rebuilt.name);
    assert.equal(realize(varying, '--rebuild', '--check').code, 2);
  });

  test('reductions --forget makes the next realize run the name again', () => {
    const { run, realize } = setup('forget');
    const first = realize(varying);
    const forgot = run(['reductions', '--forget', varying]);
    assert.equal(forgot.code, 0, forgot.err);
    assert.match(forgot.out, /^forgot \d+ reductions? of exec:run/);
    assert.match(run(['reductions', varying]).out, /no reductions recorded/);
    const again = realize(varying);
    assert.match(again.err, /"ran":1/);
    assert.notEqual(again.name, first.name);
  });

  test('reduce --retract removes a user assertion; retracting one that is not there is an error', () => {
    const { run } = setup('retract');
    const a = 'exec:run?args=[true]';
    const made = run(['reduce', `${a} => context:value?v=1`]);
    assert.equal(made.code, 0, made.err);
    assert.match(run(['reductions', a]).out, /=> context:value\?v=1\n\s+asserted by the user/);
    const wrong = run(['reduce', '--retract', `${a} => context:value?v=2`]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /no assertion `exec:run\?args=\[true\] => context:value\?v=2` is recorded \(the one from exec:run\?args=\[true\] is `=> context:value\?v=1`\)/);
    const r = run(['reduce', '--retract', `${a} => context:value?v=1`]);
    assert.equal(r.code, 0, r.err);
    assert.match(run(['reductions', a]).out, /no reductions recorded/);
  });
});
