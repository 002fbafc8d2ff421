/**
 * A selection of a tree (`statNow(path, selection)`): the stat state of the
 * part a reader takes (the headers of an include directory). A change to
 * what it selects always shows; a change to anything else never does, so a
 * build writing its outputs beside the headers leaves the state as it was.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { lookupStat, recordStat, statNow, statTree, type Selection } from '../../src/store/stat-cache.js';
import { openStore, type Store } from '../../src/store/store.js';
import type { ContentHash } from '../../src/store/hash.js';
import { tempDir } from '../support/cli.js';
import { distSrc, traced } from '../support/syscalls.js';
import { requireTool } from '../support/tools.js';

const root = tempDir('stat-selection');
const stores: Store[] = [];
after(() => {
  for (const s of stores) s.close();
  rmSync(root, { recursive: true, force: true });
});

const HEADERS: Selection = { files: '\\.h$', skip: ['CMakeFiles'], stopAt: ['CMakeCache.txt'] };

let n = 0;
function tree(): string {
  const dir = join(root, `case${n++}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, 'CMakeFiles'));
  writeFileSync(join(dir, 'a.h'), '#define A 1\n');
  writeFileSync(join(dir, 'a.c'), 'int a;\n');
  writeFileSync(join(dir, 'sub', 'b.h'), '#define B 1\n');
  return dir;
}

/** The listing and own numbers that decide whether the state is the same. */
function state(dir: string, selection: Selection = HEADERS): string {
  const s = statNow(dir, selection);
  assert.ok(s, `${dir} stats`);
  return `${s.root.dev}:${s.root.ino}:${s.root.mode}:${s.listing?.toString('hex')}`;
}

describe('a selection of a tree', () => {
  test('writing, changing and removing what it does not select leaves its state as it was', () => {
    const dir = tree();
    mkdirSync(join(dir, 'nested', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'nested', 'CMakeCache.txt'), '');
    const before = state(dir);
    appendFileSync(join(dir, 'a.c'), 'int b;\n');
    writeFileSync(join(dir, 'libx.a'), 'archive');
    writeFileSync(join(dir, 'CMakeFiles', 'x.h'), 'skipped directory');
    writeFileSync(join(dir, 'nested', 'deep', 'c.h'), 'inside a nested build directory');
    assert.equal(state(dir), before);
  });

  test('a selected file changed, added, removed or renamed, also deep down, changes it', () => {
    const dir = tree();
    const cases: (() => void)[] = [
      () => appendFileSync(join(dir, 'a.h'), '// more\n'),
      () => appendFileSync(join(dir, 'sub', 'b.h'), '// more\n'),
      () => writeFileSync(join(dir, 'sub', 'new.h'), ''),
      () => renameSync(join(dir, 'sub', 'new.h'), join(dir, 'sub', 'renamed.h')),
      () => rmSync(join(dir, 'sub', 'renamed.h')),
      () => writeFileSync(join(dir, 'sub', 'CMakeCache.txt'), ''),
    ];
    for (const [i, change] of cases.entries()) {
      const before = state(dir);
      change();
      assert.notEqual(state(dir), before, `change ${i}`);
    }
  });

  test('a shallow selection sees a directory appear by name, not what is written in one', () => {
    const dir = tree();
    const shallow: Selection = { files: '^include$', skip: [], stopAt: [], shallow: true };
    const before = state(dir, shallow);
    writeFileSync(join(dir, 'sub', 'c.h'), '');
    writeFileSync(join(dir, 'other.h'), '');
    assert.equal(state(dir, shallow), before);
    mkdirSync(join(dir, 'include'));
    assert.notEqual(state(dir, shallow), before);
  });

  test('the stat cache keeps a selection apart from its whole directory, and answers it while what it selects is unchanged', async () => {
    const dir = tree();
    const store = openStore({ dir: join(root, `store${n}`), fsync: false });
    stores.push(store);
    const sel = 'a'.repeat(64) as ContentHash;
    const whole = 'b'.repeat(64) as ContentHash;
    // Out of the racy second: a state is trusted only for files stamped before its clock's second.
    await new Promise((r) => setTimeout(r, 1100));
    const selected = statTree(store, dir, HEADERS)!;
    recordStat(store, selected, { hash: sel, narSize: 1 });
    recordStat(store, statTree(store, dir)!, { hash: whole, narSize: 2 });
    assert.equal(lookupStat(store, statTree(store, dir, HEADERS)!)?.hash, sel);
    assert.equal(lookupStat(store, statTree(store, dir)!)?.hash, whole);
    // An output written beside the headers: the whole directory changed, its headers did not.
    writeFileSync(join(dir, 'liba.a'), 'archive');
    assert.equal(lookupStat(store, statTree(store, dir, HEADERS)!)?.hash, sel);
    assert.equal(lookupStat(store, statTree(store, dir)!), undefined);
    appendFileSync(join(dir, 'sub', 'b.h'), '// changed\n');
    assert.equal(lookupStat(store, statTree(store, dir, HEADERS)!), undefined);
  });

  test('each directory of a selection is read once (its names and their types in one listing)', (t) => {
    if (!requireTool(t, 'strace', 'strace')) return;
    const dir = tree();
    const script = `import { statNow } from ${JSON.stringify(join(distSrc, 'store/stat-cache.js'))};
if (!statNow(${JSON.stringify(dir)}, ${JSON.stringify(HEADERS)})) throw new Error('no state');`;
    const opens = traced(script, 'openat').filter((l) => l.includes('O_DIRECTORY'));
    // The tree's own directory and `sub` (CMakeFiles is skipped by its type, read with the listing).
    for (const d of [dir, join(dir, 'sub')]) {
      const of = opens.filter((l) => l.includes(`"${d}"`));
      assert.equal(of.length, 1, `${d} was opened ${of.length} times:\n${of.join('\n')}`);
    }
  });
});
