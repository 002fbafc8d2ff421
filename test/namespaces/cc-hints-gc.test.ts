/**
 * gc and cc's compile hints (src/namespaces/cc/hints-gc.ts): a module's hints stay while the toolchain
 * object they were made with is in the store and go once the store's gc deleted it; hints that name no
 * toolchain (an older Nomia's) go too. Through `ccNamespace.collectGarbage`, as `nomia gc` calls it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireTool } from '../support/tools.js';
import { sharedInterface } from '../../src/namespaces/cc/elf-interface.js';
import { keepHint } from '../../src/namespaces/cc/hints.js';
import { remember } from '../../src/namespaces/cc/shared-interfaces.js';
import { ccNamespace } from '../../src/namespaces/cc/index.js';
import { addPath } from '../../src/store/add.js';
import { gc } from '../../src/store/gc.js';
import { addRoot, removeRoot } from '../../src/store/roots.js';
import { dropTempRoots } from '../../src/store/temp-roots.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

test('a module\'s hints are kept while their toolchain is in the store and swept once gc deleted it', async () => {
  const dir = tempDir('cc-hints-gc');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  mkdirSync(join(dir, 'tc', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'tc', 'bin', 'gcc'), 'not really gcc\n');
  const toolchain = await addPath(store, join(dir, 'tc'));
  const toolchainPath = join(store.layout.storeDir, toolchain.object.path);
  addRoot(store, { name: 'toolchain', object: toolchain.object.path, kind: 'absolute' });
  writeFileSync(join(dir, 'a.c'), 'int a;\n');
  keepHint(store, { toolchain: 'tc', args: ['-O2'], trees: 0, source: 'a.c' }, toolchainPath, join(dir, 'a.c'), [], []);
  const hints = join(store.layout.home, 'cache', 'cc', 'hints');
  // An older Nomia's hint names no toolchain: nothing tells whether it is alive.
  writeFileSync(join(hints, 'f'.repeat(64)), JSON.stringify([{ src: '0'.repeat(64), headers: [] }]));
  const [kept] = readdirSync(hints).filter((e) => e !== 'f'.repeat(64));
  assert.ok(kept, 'the compile kept its hint');

  const alive = await ccNamespace.collectGarbage!(store, 'delete');
  assert.deepEqual(alive.removed, [`cache/cc/hints/${'f'.repeat(64)}`]);
  assert.ok(existsSync(join(hints, kept)), 'kept while its toolchain is in the store');

  removeRoot(store, 'toolchain');
  dropTempRoots(store);
  assert.ok(gc(store, { action: 'delete' }).dead.includes(toolchain.object.path), 'the store\'s gc deleted the toolchain');
  const dry = await ccNamespace.collectGarbage!(store, 'list-dead');
  assert.deepEqual(dry.removed, [`cache/cc/hints/${kept}`]);
  assert.ok(existsSync(join(hints, kept)), 'a dry run deletes nothing');
  const swept = await ccNamespace.collectGarbage!(store, 'delete');
  assert.deepEqual(swept.removed, [`cache/cc/hints/${kept}`]);
  assert.ok(swept.bytesFreed > 0);
  assert.deepEqual(readdirSync(hints), []);
  store.close();
});

test('an interface\'s entry is kept while one of its libraries is in the store and swept once gc deleted them', async (t) => {
  if (!requireTool(t, 'gcc', 'gcc')) return;
  const dir = tempDir('cc-interfaces-gc');
  const store = openStore({ dir: join(dir, 'store'), fsync: false });
  writeFileSync(join(dir, 'l.c'), 'int l(void) { return 1; }\n');
  execFileSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'libl.so'), join(dir, 'l.c')]);
  const lib = await addPath(store, join(dir, 'libl.so'));
  addRoot(store, { name: 'lib', object: lib.object.path, kind: 'absolute' });
  const libPath = join(store.layout.storeDir, lib.object.path);
  remember(store, sharedInterface(readFileSync(libPath))!, libPath);
  const ifaces = join(store.layout.home, 'cache', 'cc', 'interfaces');
  const [entry] = readdirSync(ifaces);
  assert.ok(entry, 'the library was recorded with its interface');
  assert.deepEqual((await ccNamespace.collectGarbage!(store, 'delete')).removed, []);
  removeRoot(store, 'lib');
  dropTempRoots(store);
  assert.ok(gc(store, { action: 'delete' }).dead.includes(lib.object.path), 'the store\'s gc deleted the library');
  assert.deepEqual((await ccNamespace.collectGarbage!(store, 'delete')).removed, [`cache/cc/interfaces/${entry}`]);
  assert.deepEqual(readdirSync(ifaces), []);
  store.close();
});
