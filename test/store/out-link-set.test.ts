/**
 * An out-link to a set of objects (src/store/out-link-set.ts), what a build
 * directory's `.nomia_ninja_root` is: gc keeps the set while the link
 * exists, each call replaces it, the same set again adds nothing, and a
 * removed link lets gc take the set. Gc runs in its own process, as it
 * does for a user (this process's own adds are held while it runs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { distSrc, nomia, tempDir } from '../support/cli.js';

const dir = tempDir('out-link-set');
const store = join(dir, 'store');
const link = join(dir, 'build', '.nomia_ninja_root');
mkdirSync(join(dir, 'build'));

/** Point `link` at the set `entries` from a process of its own; the list's path, or '' when it refused. */
function linkSet(entries: readonly string[]): string {
  const script = `
    const { openStore } = await import(${JSON.stringify(join(distSrc, 'store/store.js'))});
    const { addOutLinkToSet } = await import(${JSON.stringify(join(distSrc, 'store/out-link-set.js'))});
    const store = openStore({ dir: ${JSON.stringify(store)} });
    try { process.stdout.write((await addOutLinkToSet(store, ${JSON.stringify(link)}, ${JSON.stringify(entries)}, 'ninja-build')) ?? ''); } finally { store.close(); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function add(name: string): string {
  writeFileSync(join(dir, name), `${name}\n`);
  const r = nomia(store, ['add', join(dir, name)]);
  assert.equal(r.code, 0, r.err);
  return readdirSync(join(store, 'store')).find((e) => e.endsWith(`-${name}`))!;
}

function gc(): { dead: string[]; expiredRoots: string[] } {
  const r = nomia(store, ['gc', '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { dead: string[]; expiredRoots: string[] };
}

test('gc keeps the set while the link exists; each call replaces it; the same set adds nothing; a removed link frees it', () => {
  const [a, b, c] = [add('a'), add('b'), add('c')];
  const first = linkSet([b, a, a]);
  assert.equal(readlinkSync(link), first);
  assert.equal(readFileSync(first, 'utf8'), `${join(store, 'store', a)}\n${join(store, 'store', b)}\n`, 'store paths, sorted, once each');
  assert.deepEqual(gc().dead, [c], 'only what the set does not hold');
  const second = linkSet([b]);
  assert.notEqual(second, first);
  assert.deepEqual(gc().dead.sort(), [a, first.slice(first.lastIndexOf('/') + 1)].sort(), 'the old list and what only it held');
  const before = readdirSync(join(store, 'store')).length;
  assert.equal(linkSet([b]), second, 'the same set: the link as it was');
  assert.equal(readdirSync(join(store, 'store')).length, before, 'and no new object');
  assert.equal(linkSet([b, 'not-an-object']), '', 'an entry that is not in the store: refused');
  assert.equal(readlinkSync(link), second, 'the link unchanged');
  rmSync(link);
  const last = gc();
  assert.deepEqual(last.dead.sort(), [b, second.slice(second.lastIndexOf('/') + 1)].sort());
  assert.deepEqual(last.expiredRoots, [`out-link ${link}`]);
  assert.ok(!existsSync(join(store, 'store', b)));
});
