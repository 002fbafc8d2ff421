/**
 * The crash campaign (issue 12, "Done when"): SIGKILL at random moments
 * across `nomia add`, a realize of a three-stage exec:run pipeline, a
 * sandboxed package build and `nomia gc`, NOMIA_CRASH_KILLS times (default
 * 100). After every round of kills the store verifies consistent, and
 * running each operation again gives the right result.
 *
 * Each round starts the add and the two realizes at once and kills each at
 * a random moment of its expected run time, then does the same to a gc
 * (kept apart from the realizes: a gc running beside a realize is the gc
 * stress test's subject). Only kills that land while the process still runs
 * count. Every round salts its inputs, so nothing is a mere lookup.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashPath } from '../../src/store/nar.js';
import { openStore } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { bench, sandboxTools } from '../namespaces/package-support.js';
import { makeTree, nomiaAsync } from '../support/cli.js';

const KILLS = Number(process.env['NOMIA_CRASH_KILLS'] ?? 100);
const FAST = { NOMIA_FSYNC: '0' };

interface Outcome { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** Run the CLI; kill it with SIGKILL after `killAfter` ms if given. `killed`: it was still running then. */
async function run(store: string, args: string[], killAfter?: number): Promise<Outcome & { killed: boolean }> {
  const p = nomiaAsync(store, args, FAST);
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  let killed = false;
  const timer = killAfter === undefined ? undefined : setTimeout(() => {
    if (p.exitCode === null && p.signalCode === null) killed = p.kill('SIGKILL');
  }, killAfter);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => p.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return { code, signal, out, err, killed: killed && signal === 'SIGKILL' };
}

const pipeline = (round: number): string => {
  const a = `exec:run?args=[sh, -c, "echo R${round} > $out"]`;
  const b = `exec:run?args=[sh, -c, "cat $in $in > $out"](in: ${a})`;
  return `exec:run?args=[sh, -c, "cat $in $in > $out"](in: ${b})`;
};
const build = (tools: string, round: number): string => `package:build-in-sandbox?args=[bash, -c, "echo built ${round} > $out"](exe: ${tools}/bin/bash)`;

/** The path a realize printed (its second line). */
const resultPath = (o: Outcome): string => o.out.trim().split('\n')[1] ?? '';

async function assertConsistent(store: string, when: string): Promise<void> {
  const s = openStore({ dir: store, fsync: false });
  try {
    const r = await verify(s);
    assert.ok(r.consistent, `${when}: ${JSON.stringify(r.issues.filter((i) => !i.leftover && !i.repaired))}`);
  } finally {
    s.close();
  }
}

test(`kill -9 at random moments across add, a pipeline realize, a sandboxed build and gc (${KILLS} kills): verify stays consistent, re-runs are right`, { timeout: 600_000 }, async (t) => {
  if (!sandboxTools(t)) return;
  const b = bench('crash-campaign');
  const { store, tools } = b;
  const tree = makeTree(join(b.dir, 'tree'), 8, 40, 1);
  // Expected run times, warm: kills are spread over them.
  const timed = async (args: string[]) => {
    const started = Date.now();
    const o = await run(store, args);
    assert.equal(o.code, 0, o.err);
    return Date.now() - started;
  };
  writeFileSync(join(tree, 'salt'), 'warm-up');
  const span = {
    add: await timed(['add', tree]),
    pipeline: await timed(['realize', pipeline(-1)]),
    build: await timed(['realize', build(tools, -1)]),
    gc: await timed(['gc']),
  };
  let kills = 0;
  const byKind = { add: 0, pipeline: 0, build: 0, gc: 0 };
  for (let round = 0; kills < KILLS && round < KILLS * 3; round++) {
    writeFileSync(join(tree, 'salt'), `round ${round}`);
    const at = (ms: number) => Math.floor(Math.random() * ms * 1.2);
    const [add, pipe, bld] = await Promise.all([
      run(store, ['add', tree], at(span.add)),
      run(store, ['realize', pipeline(round)], at(span.pipeline)),
      run(store, ['realize', build(tools, round)], at(span.build)),
    ]);
    for (const [kind, o] of [['add', add], ['pipeline', pipe], ['build', bld]] as const) {
      if (o.killed) {
        kills++;
        byKind[kind]++;
      } else assert.equal(o.code, 0, `${kind} (round ${round}) failed without being killed: ${o.err}`);
    }
    await assertConsistent(store, `after the kills of round ${round}`);
    const gc = await run(store, ['gc'], at(span.gc));
    if (gc.killed) {
      kills++;
      byKind.gc++;
    } else assert.equal(gc.code, 0, gc.err);
    await assertConsistent(store, `after the gc of round ${round}`);
    // Everything again, to the end: the right results.
    const [add2, pipe2, bld2] = await Promise.all([
      run(store, ['add', tree]),
      run(store, ['realize', pipeline(round)]),
      run(store, ['realize', build(tools, round)]),
    ]);
    assert.equal(add2.code, 0, add2.err);
    assert.equal(add2.out.trim().split('sha256=')[1], (await hashPath(tree)).hash, `round ${round}: the add`);
    assert.equal(pipe2.code, 0, pipe2.err);
    assert.equal(readFileSync(resultPath(pipe2), 'utf8'), `R${round}\n`.repeat(4), `round ${round}: the pipeline`);
    assert.equal(bld2.code, 0, bld2.err);
    assert.equal(readFileSync(resultPath(bld2), 'utf8'), `built ${round}\n`, `round ${round}: the build`);
    const clean = await run(store, ['gc']);
    assert.equal(clean.code, 0, clean.err);
  }
  await assertConsistent(store, 'at the end');
  t.diagnostic(`${kills} kills (add ${byKind.add}, pipeline ${byKind.pipeline}, build ${byKind.build}, gc ${byKind.gc})`);
  assert.ok(kills >= KILLS, `only ${kills} of ${KILLS} kills landed while a process ran`);
});
