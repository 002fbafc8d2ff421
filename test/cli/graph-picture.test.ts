/** `nomia graph --svg/--html` (issue 20): pictures drawn without Graphviz, nodes coloured by their state in the store. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { parseXml } from '../support/xml.js';

/** The README's pipeline (issue 4's example). */
const pipeline = `let src = filesystem:import?path=./input.txt;
  clean = exec:run?args=[sh, -c, "sed -e \\"s/ *$//\\" < $in > $out"](in: $src)
  in exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: $clean)`;
/** The seed's build example (its hashes need not be in the store to draw it). */
const seed = 'package:build-in-sandbox?args=[ bash, -c, $script ](\n  exe: filesystem:by-content?name=bootstrap-tools&sha256=d13896915648863217847611c7c3051308df862f0277e79c2489c2ab4b4b92f5/bin/bash,\n  script: filesystem:by-content?sha256=523d86d347dc2ae74c7e7f6f3530b2b36b03ce7311b37e53029558e61e5cd955\n)';

/** The labels of the name's nodes, as `nomia graph` lists them (`n3 LABEL  (l:c)`). */
function labels(store: string, name: string, cwd?: string): string[] {
  const r = nomia(store, ['graph', name], cwd === undefined ? {} : { cwd });
  assert.equal(r.code, 0, r.err);
  return [...r.out.matchAll(/^n\d+ (.*?)(?: {2}\(\d+:\d+\))?$/gm)].map((m) => m[1]!);
}

/** The SVG of `name`, checked well-formed; its texts and the state class of each node. */
function picture(store: string, name: string, cwd?: string): { texts: string[]; states: string[] } {
  const r = nomia(store, ['graph', '--svg', name], cwd === undefined ? {} : { cwd });
  assert.equal(r.code, 0, r.err);
  const doc = parseXml(r.out);
  assert.equal(doc.root, 'svg');
  const states = (doc.attributes.get('class') ?? []).filter((c) => c.startsWith('node ')).map((c) => c.slice(5));
  return { texts: doc.texts.get('text') ?? [], states };
}

describe('nomia graph --svg', () => {
  test("the README's pipeline: valid SVG naming every node", () => {
    const dir = tempDir('graph-svg');
    writeFileSync(join(dir, 'input.txt'), 'hello world   \n');
    const store = join(dir, 'store');
    const names = labels(store, pipeline, dir);
    assert.equal(names.length, 3);
    const { texts } = picture(store, pipeline, dir);
    for (const n of names) assert.ok(texts.includes(n), `the picture names ${n}: ${JSON.stringify(texts)}`);
  });

  test("the seed's build example: valid SVG naming every node", () => {
    const store = join(tempDir('graph-svg'), 'store');
    const names = labels(store, seed);
    assert.equal(names.length, 3);
    const { texts, states } = picture(store, seed);
    for (const n of names) assert.ok(texts.includes(n), `the picture names ${n}`);
    // Neither tool nor script is in this empty store: everything must run.
    assert.deepEqual(states, ['state-must-run', 'state-must-run', 'state-must-run']);
  });

  test('states: an object in the store, a node reducible once realized, and its reduction drawn', () => {
    const dir = tempDir('graph-svg');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'x.txt'), 'abc\n');
    const added = nomia(store, ['add', join(dir, 'x.txt')]).out.split('\n')[0]!;
    const name = `exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: ${added})`;
    assert.deepEqual(picture(store, name).states, ['state-must-run', 'state-in-store']);
    const r = nomia(store, ['realize', name]);
    assert.equal(r.code, 0, r.err);
    const result = r.out.split('\n')[0]!;
    const after = picture(store, name);
    assert.deepEqual(after.states, ['state-reducible', 'state-in-store']);
    assert.ok(after.texts.includes(result), 'the name it reduces to is drawn');
    assert.ok(after.texts.includes('reduces to'));
  });

  test('a knot is boxed as a cluster', () => {
    const store = join(tempDir('graph-svg'), 'store');
    const r = nomia(store, ['graph', '--svg', 'compose a = f:f($b); b = g:g($a); top:t($a)']);
    assert.equal(r.code, 0, r.err);
    const doc = parseXml(r.out);
    assert.ok((doc.attributes.get('class') ?? []).includes('cluster'));
    assert.ok((doc.texts.get('text') ?? []).includes('knot'));
  });

  test('a big graph is drawn by the layered layout: valid SVG naming every node, with its state and its knot', () => {
    const store = join(tempDir('graph-svg'), 'store');
    // 200 steps, each taking the one before and one far back (edges that skip many columns), and a knot.
    const steps = Array.from({ length: 200 }, (_, i) => `s${i} = exec:run?args=[step${i}]${i ? `(a: $s${i - 1}, b: $s${Math.floor(i / 3)})` : ''}`);
    const name = `compose ${steps.join('; ')}; k1 = f:f($k2, $s199); k2 = g:g($k1); top:t($k2)`;
    const names = labels(store, name);
    assert.equal(names.length, 203);
    const r = nomia(store, ['graph', '--svg', name]);
    assert.equal(r.code, 0, r.err);
    const doc = parseXml(r.out);
    assert.equal(doc.root, 'svg');
    const texts = doc.texts.get('text') ?? [];
    for (const n of names) assert.ok(texts.includes(n), `the picture names ${n}`);
    const classes = doc.attributes.get('class') ?? [];
    assert.equal(classes.filter((c) => c === 'node state-unknown').length, 203, 'unknown namespaces f, g, top: nothing resolves');
    assert.equal(classes.filter((c) => c === 'cluster').length, 1);
  });

  test('--html is a page around the same picture, with the legend', () => {
    const store = join(tempDir('graph-svg'), 'store');
    const r = nomia(store, ['graph', '--html', seed]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^<!doctype html>/);
    assert.match(r.out, /<svg[\s\S]*<\/svg>/);
    assert.match(r.out, /reducible by a recorded reduction/);
  });

  test('one picture format at a time', () => {
    const r = nomia(join(tempDir('graph-svg'), 'store'), ['graph', '--svg', '--dot', 'f:f']);
    assert.equal(r.code, 1);
    assert.match(r.err, /give one of --dot, --svg and --html/);
  });
});
