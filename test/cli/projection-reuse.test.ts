/**
 * Per-file granularity from one tree (issue 14.2): a node given a
 * projection of an imported tree is spelled by the content of the file it
 * selects, so it is reused when only another file of the tree changed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';

const NAME = `compose
  tree = filesystem:import?path=./src;
  a = exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $tree/a.c);
  b = exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $tree/b.h);
  exec:run?args=[sh, -c, "cat $a $b > $out"](a: $a, b: $b)`;

function realize(store: string, cwd: string) {
  const r = nomia(store, ['realize', '--log-format', 'json', '-'], { cwd, input: NAME });
  assert.equal(r.code, 0, r.err);
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  // Nodes by the line they are written on: 2 the tree, 3 the node reading a.c, 4 the one reading b.h.
  const line = (e: EngineEvent) => `${(e as { at?: string }).at?.split(':')[0]}`;
  const ran = events.filter((e) => e.kind === 'realizing').map(line);
  const early = events.filter((e) => e.kind === 'cache-hit' && (e as { early: boolean }).early).map(line);
  return { out: r.out, ran, early };
}

const reads = (file: string) => (at: string) => at === { 'a.c': '3', 'b.h': '4' }[file];

describe('a projection of an imported tree is spelled by what it selects', () => {
  test('changing another file of the tree reuses the node; changing its own file reruns it', () => {
    const dir = tempDir('projection');
    const store = join(dir, 'store');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.c'), 'int a;\n');
    writeFileSync(join(dir, 'src', 'b.h'), 'int b;\n');
    const first = realize(store, dir);
    assert.deepEqual(first.ran.sort(), ['2', '3', '4', '5'], 'everything runs the first time');

    writeFileSync(join(dir, 'src', 'b.h'), 'int b2;\n');
    const second = realize(store, dir);
    assert.ok(second.ran.includes('2'), 'the tree changed, so it is imported again');
    assert.ok(!second.ran.some(reads('a.c')), `the node reading a.c ran again: ${second.ran.join('\n')}`);
    assert.ok(second.early.some(reads('a.c')), 'it was reused by its re-spelling (early cutoff)');
    assert.ok(second.ran.some(reads('b.h')), 'the node reading b.h reran');

    writeFileSync(join(dir, 'src', 'a.c'), 'int a2;\n');
    const third = realize(store, dir);
    assert.ok(third.ran.some(reads('a.c')), 'its own file changed: it reruns');
    assert.ok(!third.ran.some(reads('b.h')), 'the other one is reused');
  });
});
