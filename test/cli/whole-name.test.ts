/**
 * Whole-name lookups through the real CLI: the second realize of a name is
 * one lookup before any parse, and never a stale answer: not after a file
 * behind filesystem:import changed, not after nomia.json or a namespace's
 * script changed, not after an object it names was deleted.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

function realize(store: string, name: string, cwd: string) {
  const r = nomia(store, ['realize', '--log-format', 'json', '-'], { cwd, input: name });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  return { ...r, events, ran: events.filter((e) => e.kind === 'realizing').length, looked: events.filter((e) => e.kind === 'cache-hit').length };
}

const upperPy = fileURLToPath(new URL('../../../examples/namespaces/upper.py', import.meta.url));

/** A copy of the example namespace whose text names lower-case instead, when `lower`. */
function script(path: string, lower = false): string {
  const text = readFileSync(upperPy, 'utf8');
  writeFileSync(path, lower ? text.replace('"value": s.upper()', '"value": s.lower()') : text);
  return path;
}

describe('whole-name lookups', () => {
  test('a realized name given as text is one lookup the second time, recorded by its text', () => {
    const dir = tempDir('whole-text');
    const store = join(dir, 'store');
    const name = 'compose a = context:value?v=1; b = text:digest(x: $a); text:digest?top=1(y: $b)';
    const first = realize(store, name, dir);
    assert.equal(first.code, 0, first.err);
    assert.equal(first.ran, 3);
    const second = realize(store, name, dir);
    assert.equal(second.out, first.out);
    assert.deepEqual(second.events.map((e) => e.kind), ['resolving', 'done'], 'nothing resolved, nothing looked up node by node');
    // Written differently, it is the same spelling: one lookup too (and from now on recorded by this text).
    const respaced = realize(store, name.replace(/; /g, ';\n  '), dir);
    assert.equal(respaced.out, first.out);
    assert.equal(respaced.ran + respaced.looked, 0);
  });

  test('a changed file behind filesystem:import is seen: a contextual name is never answered whole', () => {
    const dir = tempDir('whole-import');
    const store = join(dir, 'store');
    const name = 'exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: filesystem:import?path="./f")';
    writeFileSync(join(dir, 'f'), 'one\n');
    const first = realize(store, name, dir);
    assert.equal(first.code, 0, first.err);
    assert.equal(readFileSync(first.out.split('\n')[1]!, 'utf8'), 'ONE\n');
    writeFileSync(join(dir, 'f'), 'two\n');
    const second = realize(store, name, dir);
    assert.equal(readFileSync(second.out.split('\n')[1]!, 'utf8'), 'TWO\n');
    writeFileSync(join(dir, 'f'), 'one\n');
    const third = realize(store, name, dir);
    assert.equal(third.out, first.out);
  });

  test('a changed nomia.json is seen', () => {
    const dir = tempDir('whole-config');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { ns: { builtin: 'context' } } }));
    const first = realize(store, 'ns:value?v=1', dir);
    assert.equal(first.out, 'context:value?v=1\n1\n', first.err);
    assert.equal(realize(store, 'ns:value?v=1', dir).ran, 0);
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { ns: { builtin: 'text' } } }));
    const after = realize(store, 'ns:value?v=1', dir);
    assert.equal(after.code, 1, 'not the old answer');
    assert.match(after.err, /ns:value is not a name of this namespace/);
  });

  test('a changed script of a configured namespace is seen', (t) => {
    if (!requireTool(t, 'python3', 'python3')) return;
    const dir = tempDir('whole-script');
    const store = join(dir, 'store');
    script(join(dir, 'ns.py'));
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ namespaces: { up: { command: ['python3', './ns.py'] } } }));
    assert.equal(realize(store, 'up:text?s=Mixed', dir).out, 'context:value?v=MIXED\nMIXED\n');
    assert.equal(realize(store, 'up:text?s=Mixed', dir).ran, 0);
    script(join(dir, 'ns.py'), true);
    assert.equal(realize(store, 'up:text?s=Mixed', dir).out, 'context:value?v=mixed\nmixed\n');
  });

  test('a changed script of a named namespace is seen (regression: the whole name was answered from its old result)', (t) => {
    if (!requireTool(t, 'python3', 'python3')) return;
    const dir = tempDir('whole-named');
    const store = join(dir, 'store');
    const path = script(join(dir, 'ns.py'));
    const name = `(nomia:external?command=[python3, ${JSON.stringify(path)}]):text?s=Mixed`;
    assert.equal(realize(store, name, dir).out, 'context:value?v=MIXED\nMIXED\n');
    const again = realize(store, name, dir);
    assert.equal(again.ran, 0);
    assert.equal(again.looked, 1, 'the node is looked up under the namespace it is bound to');
    script(path, true);
    assert.equal(realize(store, name, dir).out, 'context:value?v=mixed\nmixed\n');
  });

  test('a deleted object is made again, not answered from the record', () => {
    const dir = tempDir('whole-gc');
    const store = join(dir, 'store');
    const name = 'exec:run?args=[sh, -c, "echo made > $out"]';
    const first = realize(store, name, dir);
    const path = first.out.split('\n')[1]!;
    assert.equal(realize(store, name, dir).ran, 0);
    const gc = nomia(store, ['gc']);
    assert.equal(gc.code, 0, gc.err);
    assert.ok(!existsSync(path), 'gc deleted the unrooted output');
    const after = realize(store, name, dir);
    assert.equal(after.code, 0, after.err);
    assert.equal(after.ran, 1);
    assert.equal(after.out, first.out);
    assert.equal(readFileSync(path, 'utf8'), 'made\n');
  });
});

describe('text memos and the syntax version', () => {
  test('a text memoized under the old syntax is not reused once the text means something else (f?a=./b)', async () => {
    const { createHash } = await import('node:crypto');
    const { openStore } = await import('../../src/store/store.js');
    const { record } = await import('../../src/engine/reductions.js');
    const { registryFingerprint, textKey, TEXT } = await import('../../src/engine/whole-name.js');
    const { registry } = await import('../../src/setup.js');
    const dir = tempDir('whole-syntax');
    const store = join(dir, 'store');
    const make = 'exec:run?args=[sh, -c, "mkdir $out; echo hi > $out/f"]&label=';
    // Under syntax 1 `…&label=./f` was the label `.` and the projection `f`: today that is written with a space.
    const before = realize(store, `${make}. /f`, dir);
    assert.equal(before.code, 0, before.err);
    assert.equal(readFileSync(before.out.split('\n')[1]!, 'utf8'), 'hi\n', 'the file f');
    const reg = registry(dir);
    const s = openStore({ dir: store });
    try {
      const memo = s.db.reductionsFrom(textKey(`${make}. /f`, reg)).find((r) => r.namespace === TEXT);
      assert.ok(memo, 'the test computes the key as the engine does');
      // The memo a store written by syntax 1 holds for the unspaced text.
      const v1 = `text1-${createHash('sha256').update(`nomia-text-1\0${registryFingerprint(reg)}\0`).update(`${make}./f`).digest('hex')}`;
      record(s, { from: v1, namespace: TEXT, to: memo.to, kind: 'realized' });
    } finally {
      s.close();
    }
    const after = realize(store, `${make}./f`, dir);
    assert.equal(after.code, 0, after.err);
    const path = after.out.split('\n')[1]!;
    assert.ok(existsSync(join(path, 'f')), `the label is ./f and there is no projection: the directory, not the stale file (${path})`);
  });
});
