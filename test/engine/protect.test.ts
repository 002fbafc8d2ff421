/**
 * gc against running realizes (issue "Data safety", point 1): what a
 * realize found through a recorded reduction is held until it ends, so a gc
 * meanwhile cannot delete the input of its next stage; a node whose input
 * vanished anyway fails and records nothing. And a bounded stress run of
 * realizes and gcs at once never sees a wrong or missing result.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nomia, nomiaAsync, tempDir } from '../support/cli.js';

const A = 'exec:run?args=[sh, -c, "echo A > $out"]';

/** Wait until `path` exists (a stage of a command says it got there). */
async function until(path: string): Promise<void> {
  for (let i = 0; i < 2000 && !existsSync(path); i++) await sleep(10);
  assert.ok(existsSync(path), `${path} never appeared`);
}

function finished(child: ReturnType<typeof nomiaAsync>): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

test('gc while a realize runs keeps the inputs it found by a recorded reduction', async () => {
  const dir = tempDir('protect');
  const store = join(dir, 'store');
  assert.equal(nomia(store, ['realize', A]).code, 0);
  // B's input A is a lookup (a recorded reduction); B then waits, so gc runs while it holds A's path.
  const started = join(dir, 'started');
  const go = join(dir, 'go');
  const B = `exec:run?args=[sh, -c, "touch ${started}; while [ ! -e ${go} ]; do sleep 0.02; done; cat $in > $out; true"](in: ${A})`;
  const running = finished(nomiaAsync(store, ['realize', B]));
  await until(started);
  const gc = nomia(store, ['gc']);
  assert.equal(gc.code, 0, gc.err);
  writeFileSync(go, '');
  const first = await running;
  assert.equal(first.code, 0, first.err);
  const path = first.out.trim().split('\n')[1]!;
  assert.equal(readFileSync(path, 'utf8'), 'A\n', 'the next stage read its input');
  const again = nomia(store, ['realize', B]);
  assert.equal(readFileSync(again.out.trim().split('\n')[1]!, 'utf8'), 'A\n', 'and what was recorded is right');
});

test('gc stress: realizes and gcs at once never see a wrong or missing result', async () => {
  const dir = tempDir('protect-stress');
  const store = join(dir, 'store');
  // A three-stage pipeline per seed; each stage copies its input, so a lost input shows as a wrong result.
  const pipeline = (seed: number) => {
    const a = `exec:run?args=[sh, -c, "echo seed-${seed} > $out"]`;
    const b = `exec:run?args=[sh, -c, "sleep 0.2; cat $in > $out; echo b >> $out; true"](in: ${a})`;
    return `exec:run?args=[sh, -c, "cat $in > $out; echo c >> $out; true"](in: ${b})`;
  };
  const rounds = 6;
  const seeds = 3;
  // The right results, by name (the name holds the content hash), from a store no gc touches. A result
  // itself may be collected as soon as its realize has exited, so the names are what is compared.
  const quiet = join(dir, 'quiet');
  const want = Array.from({ length: seeds }, (_, s) => nomia(quiet, ['realize', pipeline(s)]).out.split('\n')[0]);
  for (let round = 0; round < rounds; round++) {
    const realizes = Array.from({ length: seeds }, (_, s) => finished(nomiaAsync(store, ['realize', pipeline(s)])));
    // gc again and again while the round runs.
    let running = true;
    const gcs = (async () => {
      const codes: (number | null)[] = [];
      while (running) codes.push((await finished(nomiaAsync(store, ['gc']))).code);
      return codes;
    })();
    const results = await Promise.all(realizes);
    running = false;
    for (const [s, r] of results.entries()) {
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.split('\n')[0], want[s], `round ${round}, seed ${s}`);
    }
    assert.ok((await gcs).every((c) => c === 0), 'every gc succeeded');
  }
  const verify = nomia(store, ['verify']);
  assert.equal(verify.code, 0, verify.out + verify.err);
});
