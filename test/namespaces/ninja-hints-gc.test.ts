/**
 * gc and the hints of compiles run as commands (src/namespaces/ninja/compile-hints.ts): an edge's hints stay
 * while the toolchain object they were made with is in the store and go once the store's gc deleted it. A leak
 * before: only cc's hints were swept, so `cache/ninja/compile-hints/` grew with every edit of every project and
 * `nomia gc` never emptied it. Through the real `nomia gc`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepReads } from '../../src/namespaces/ninja/compile-hints.js';
import type { EdgeRun } from '../../src/namespaces/ninja/command.js';
import { addPath } from '../../src/store/add.js';
import { addRoot } from '../../src/store/roots.js';
import { dropTempRoots } from '../../src/store/temp-roots.js';
import { openStore } from '../../src/store/store.js';
import { nomia, tempDir } from '../support/cli.js';

test('gc deletes the hints of compiles run as commands once their toolchain is gone, and keeps live ones', async () => {
  const dir = tempDir('ninja-hints-gc');
  const home = join(dir, 'store');
  const store = openStore({ dir: home, fsync: false });
  const edgeWith = async (tool: string, root: boolean): Promise<EdgeRun> => {
    mkdirSync(join(dir, tool, 'bin'), { recursive: true });
    writeFileSync(join(dir, tool, 'bin', 'cc'), `not really a compiler: ${tool}\n`);
    const added = await addPath(store, join(dir, tool));
    if (root) addRoot(store, { name: tool, object: added.object.path, kind: 'absolute' });
    const path = join(store.layout.storeDir, added.object.path);
    return { text: 'cc -MD -c /src/a.c -o a.o', dir: '/build', placed: [], outputs: ['a.o'], toolchain: { path, name: `filesystem:by-content?name=${tool}` }, depfile: 'a.o.d' };
  };
  const live = await edgeWith('live', true);
  const dead = await edgeWith('dead', false);
  writeFileSync(join(dir, 'a.c'), 'int a;\n');
  keepReads(store, live, [{ path: '/src/a.c', host: join(dir, 'a.c') }]);
  keepReads(store, dead, [{ path: '/src/a.c', host: join(dir, 'a.c') }]);
  // Adding took temporary roots for this process, which is running: only the absolute root holds now.
  dropTempRoots(store);
  store.close();
  const hints = join(home, 'cache', 'ninja', 'compile-hints');
  assert.equal(readdirSync(hints).length, 2, 'each edge kept its hint');

  const dry = nomia(home, ['gc', '--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.err);
  assert.equal(JSON.parse(dry.out).dead.length, 1, `the dead toolchain is to be deleted:\n${dry.out}`);
  assert.equal(JSON.parse(dry.out).caches.ninja?.removed.length, 1, `the dry run counts the dead edge's hint:\n${dry.out}`);
  assert.equal(readdirSync(hints).length, 2, 'a dry run deletes nothing');
  const r = nomia(home, ['gc', '--json']);
  assert.equal(r.code, 0, r.err);
  const [removed] = JSON.parse(r.out).caches.ninja?.removed ?? [];
  assert.ok(removed?.startsWith('cache/ninja/compile-hints/'), `the gc deleted a ninja hint:\n${r.out}`);
  assert.ok(!existsSync(join(home, removed)), 'that hint is gone');
  assert.equal(readdirSync(hints).length, 1, 'the hint of the live toolchain stays');
});
