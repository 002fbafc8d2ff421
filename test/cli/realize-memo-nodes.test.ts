/**
 * The memo of nodes (engine/memo-nodes.ts, issue 14): after a file changes,
 * only the nodes it reaches run again; the rest are answered with what they
 * gave. Each case counts the nodes that ran (the changed import and the
 * joins on its way to the root, nothing else) and checks that the result is
 * what a cold realize of the same files on a fresh store gives.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nextSecond } from '../support/clock.js';
import { nomia, tempDir } from '../support/cli.js';

type Done = Extract<EngineEvent, { kind: 'done' }>;

interface Result { out: string; done: Done; ran: string[]; err: string }

function realize(store: string, cwd: string, name: string): Result {
  const r = nomia(store, ['realize', '--log-format', 'json', '-'], { cwd, input: name });
  assert.equal(r.code, 0, r.err);
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  const ran = events.flatMap((e) => (e.kind === 'ready' ? [e.label] : []));
  return { out: r.out, done: events.find((e): e is Done => e.kind === 'done')!, ran, err: r.err };
}

const JOIN = (tag: string) => `exec:run?args=[sh, -c, "echo ${tag} > $out; cat $a $b >> $out"]`;

/**
 * Eight files joined pairwise into a tree, with a file imported in the middle of it (`m`, read by a
 * join one level below the root) and a directory (`d`, listed by the other).
 */
const NAME = `compose
${Array.from({ length: 8 }, (_, i) => `f${i} = filesystem:import?path=./src/f${i}`).join(';\n')};
m = filesystem:import?path=./mid;
d = filesystem:import?path=./dir;
${Array.from({ length: 4 }, (_, i) => `j${i} = ${JOIN(`j${i}`)}(a: $f${2 * i}, b: $f${2 * i + 1})`).join(';\n')};
k0 = exec:run?args=[sh, -c, "cat $a $b $m > $out"](a: $j0, b: $j1, m: $m);
k1 = exec:run?args=[sh, -c, "cat $a $b > $out; ls $d >> $out"](a: $j2, b: $j3, d: $d);
top = ${JOIN('top')}(a: $k0, b: $k1);
$top`;

const result = (r: Result) => {
  const [name, path] = r.out.trim().split('\n');
  return { name, content: readFileSync(path!, 'utf8') };
};

describe('the memo of nodes: only what a changed file reaches runs again', () => {
  const dir = tempDir('memo-nodes');
  const work = join(dir, 'work');
  const store = join(dir, 'store');
  mkdirSync(join(work, 'src'), { recursive: true });
  mkdirSync(join(work, 'dir'));
  for (let i = 0; i < 8; i++) writeFileSync(join(work, 'src', `f${i}`), `leaf ${i}\n`);
  writeFileSync(join(work, 'mid'), 'middle\n');
  writeFileSync(join(work, 'dir', 'x'), 'x\n');
  let fresh = 0;

  /** After `change`, the realize reruns exactly `expected` (labels, sorted) and gives what a cold realize on a fresh store gives. */
  function afterChange(change: () => void, expected: string[]): void {
    // The memo kept by a realize in a later second than every file's change trusts every file (not racy).
    nextSecond();
    realize(store, work, NAME);
    change();
    const warm = realize(store, work, NAME);
    assert.notEqual(warm.done.memo, true);
    assert.deepEqual(warm.ran.sort(), expected.sort(), `only the changed import and what it reaches run:\n${warm.err}`);
    const cold = realize(join(dir, `fresh-${fresh++}`), work, NAME);
    assert.equal(cold.done.ran, 17, 'the cold realize ran every node');
    assert.deepEqual(result(warm), result(cold), 'the result is the cold realize\'s');
  }

  test('a cold realize, then the memo answers the no-op', () => {
    const cold = realize(store, work, NAME);
    assert.equal(cold.done.ran, 17);
    nextSecond();
    realize(store, work, NAME);
    assert.equal(realize(store, work, NAME).done.memo, true);
  });

  test('a changed leaf reruns its import and the joins on its way to the root', () => {
    afterChange(() => writeFileSync(join(work, 'src', 'f0'), 'leaf 0, changed\n'), [
      'filesystem:import?path=./src/f0', JOIN('j0'), 'exec:run?args=[sh, -c, "cat $a $b $m > $out"]', JOIN('top'),
    ]);
  });

  test('a file added to an imported directory reruns that import and what reads it', () => {
    afterChange(() => writeFileSync(join(work, 'dir', 'y'), 'y\n'), [
      'filesystem:import?path=./dir', 'exec:run?args=[sh, -c, "cat $a $b > $out; ls $d >> $out"]', JOIN('top'),
    ]);
  });

  test('a file read in the middle of the tree reruns only the joins above it', () => {
    afterChange(() => writeFileSync(join(work, 'mid'), 'middle, changed\n'), [
      'filesystem:import?path=./mid', 'exec:run?args=[sh, -c, "cat $a $b $m > $out"]', JOIN('top'),
    ]);
  });

  test('two leaves changed at once, in different subtrees', () => {
    afterChange(() => {
      writeFileSync(join(work, 'src', 'f3'), 'leaf 3, changed\n');
      writeFileSync(join(work, 'src', 'f7'), 'leaf 7, changed\n');
    }, [
      'filesystem:import?path=./src/f3', JOIN('j1'), 'exec:run?args=[sh, -c, "cat $a $b $m > $out"]',
      'filesystem:import?path=./src/f7', JOIN('j3'), 'exec:run?args=[sh, -c, "cat $a $b > $out; ls $d >> $out"]',
      JOIN('top'),
    ]);
  });
});
