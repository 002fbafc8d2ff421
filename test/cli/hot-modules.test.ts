/**
 * What the hot paths of a `nomia` process load, pinned so it cannot grow
 * silently: at this size a process's time is mostly Node's start plus the
 * compiling of the modules it loads (docs/engine.md, "What a process pays
 * for"). Each case names what its path must not load; none times anything.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { nextSecond } from '../support/clock.js';
import { loadedWith } from '../support/module-closure.js';
import { modulesLoaded } from '../support/modules-loaded.js';
import { requireTool } from '../support/tools.js';

/** The store's writers: adding, committing a copy, NAR dumping and restoring, importing, reference scanning. */
const WRITERS = ['store/add.js', 'store/copy-ops.js', 'store/import-path.js', 'store/nar.js', 'store/nar-restore.js', 'store/find-references.js', 'store/self-reference.js'];

/** A store holding the tree `src` (one file), and the names that import it and name it by content. */
function storeWithTree(prefix: string): { dir: string; store: string; imported: string; byContent: string } {
  const dir = tempDir(prefix);
  const store = join(dir, 'store');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.txt'), 'a\n');
  // Past the racy second of the files: the memo does not trust what changed in the second it was recorded.
  nextSecond();
  const imported = `filesystem:import?path=${join(dir, 'src')}`;
  const r = nomia(store, ['realize', '--log-format', 'plain', imported]);
  assert.equal(r.code, 0, r.err);
  return { dir, store, imported, byContent: r.out.split('\n')[0]! };
}

const loadedAny = (loaded: readonly string[], unwanted: readonly string[]) => unwanted.filter((m) => loaded.includes(m));

test('a realize answered from the memo loads neither commander, the engine, the namespaces, the writers nor the cache clients', (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const { store, imported } = storeWithTree('hot-modules-memo');
  const loaded = modulesLoaded(store, ['realize', '--log-format', 'plain', imported]);
  assert.ok(loaded.includes('cli/realize-lean.js') && loaded.includes('engine/memo.js'), `the memo answered: ${loaded.join(', ')}`);
  const unwanted = ['commander/index.js', 'engine/realize.js', 'namespace/registry.js', 'namespace/index.js', 'cache/substituters.js', ...WRITERS];
  assert.deepEqual(loadedAny(loaded, unwanted), []);
});

test('a full realize that stores nothing loads none of the store writers, though every namespace imports namespace/index', (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const { store, byContent } = storeWithTree('hot-modules-full');
  // `--no-memo` walks the name with the engine; a by-content name of a present object only looks it up.
  const loaded = modulesLoaded(store, ['realize', '--no-memo', '--log-format', 'plain', byContent]);
  assert.ok(loaded.includes('engine/realize.js') && loaded.includes('namespace/store-api.js') && loaded.includes('namespaces/filesystem/index.js'), `the engine ran: ${loaded.join(', ')}`);
  assert.deepEqual(loadedAny(loaded, [...WRITERS, 'cache/substituters.js']), []);
});

test('the namespace contract, the engine and the lean ninja and up paths load no store writer and no cache client with them', () => {
  for (const entry of ['namespace/index.js', 'engine/realize.js', 'cli/ninja-lean.js', 'cli/up-lean.js', 'cli/realize-lean.js']) {
    const loaded = loadedWith(entry);
    assert.deepEqual(loadedAny(loaded, WRITERS), [], entry);
    assert.deepEqual(loaded.filter((m) => m.startsWith('cache/') && m !== 'cache/config.js'), [], entry);
  }
});
