/**
 * A namespace's own spelling through the real CLI: exec:run leaves `label`
 * out, and `nomia reduce` / `nomia reductions` look a name up as realize does.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';

function realize(store: string, name: string, cwd: string) {
  const r = nomia(store, ['realize', '--log-format', 'json', name], { cwd });
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
  return { ...r, ran: events.filter((e) => e.kind === 'realizing').length };
}

test('an assertion about a labelled exec name is followed whatever the label; reductions shows it', () => {
  const dir = tempDir('spell-cli');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'x');
  const target = realize(store, 'filesystem:import?path="./x"', dir).out.split('\n')[0]!;
  const asserted = nomia(store, ['reduce', `exec:run?label="first"&args=[never-runs] => ${target}`]);
  assert.equal(asserted.code, 0, asserted.err);
  const r = realize(store, 'exec:run?label="second"&args=[never-runs]', dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n')[0], target);
  assert.equal(r.ran, 0, 'the assertion made it a lookup');
  const chain = nomia(store, ['reductions', 'exec:run?label="third"&args=[never-runs]']);
  assert.match(chain.out, /=> filesystem:by-content\?name=x&sha256=[0-9a-f]{64}\n {5}asserted by the user/);
  // Without a label it is the same name: the label-less form is exec's canonical form.
  assert.match(nomia(store, ['reductions', 'exec:run?args=[never-runs]']).out, /asserted by the user/);
  assert.match(nomia(store, ['reductions', 'exec:run?args=[other]&label="first"']).out, /no reductions recorded/);
});

test('realized under one label, reused under another and without one; a different command runs', () => {
  const dir = tempDir('spell-cli-2');
  const store = join(dir, 'store');
  const first = realize(store, 'exec:run?label="say hi"&args=[sh, -c, "echo hi > $out"]', dir);
  assert.equal(first.ran, 1, first.err);
  const second = realize(store, 'exec:run?args=[sh, -c, "echo hi > $out"]&label="greet"', dir);
  assert.equal(second.ran, 0);
  assert.equal(second.out, first.out);
  assert.equal(realize(store, 'exec:run?args=[sh, -c, "echo hi > $out"]', dir).ran, 0);
  assert.equal(realize(store, 'exec:run?label="say hi"&args=[sh, -c, "echo ho > $out"]', dir).ran, 1);
});

test('after the inputs are realized the node is spelled again in its canonical form (early cutoff across labels)', () => {
  const dir = tempDir('spell-cli-3');
  const store = join(dir, 'store');
  // A contextual input: the node is only ever looked up by its spelling from the refined input.
  const name = (label: string) => `exec:run?label="${label}"&args=[sh, -c, "echo $greeting $$ > $out"](greeting: context:env?var=GREETING)`;
  const run = (label: string) => {
    const r = nomia(store, ['realize', '--log-format', 'json', name(label)], { cwd: dir, env: { GREETING: 'hello' } });
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
    return { out: r.out, err: r.err, events };
  };
  const first = run('one');
  assert.equal(first.events.filter((e) => e.kind === 'realizing').length, 2, first.err);
  const second = run('two');
  assert.equal(second.out, first.out);
  const ran = second.events.filter((e) => e.kind === 'realizing').map((e) => (e as { label: string }).label);
  assert.deepEqual(ran, ['context:env?var=GREETING'], 'only the contextual input runs');
  assert.ok(second.events.some((e) => e.kind === 'cache-hit' && e.early), 'the exec node is found after its input');
});
