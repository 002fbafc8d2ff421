/**
 * Resolution through the library with test namespaces: types with
 * subtyping, and each substructural violation.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NomiaError, NomiaGraphError } from '../../src/errors.js';
import { realize } from '../../src/engine/realize.js';
import { resolve } from '../../src/engine/resolve.js';
import { parseName } from '../../src/name/parse.js';
import { createRegistry } from '../../src/namespace/registry.js';
import type { Namespace, RunContext, Signature } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { isSubtype, registerType } from '../../src/resource/types.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

/** A namespace whose names declare the signatures the tests need; realize is never reached. */
const sigs: Record<string, Signature> = {
  'make-relevant': { inputs: {}, outputs: { out: { type: 'value' }, log: { type: 'value', annotations: ['relevant'] } }, defaultOutput: 'out', contextual: false },
  'make-affine': { inputs: {}, outputs: { out: { type: 'value', annotations: ['affine'] } }, defaultOutput: 'out', contextual: false },
  'take-ordered': { inputs: { in: { type: 'value', annotations: ['ordered'] } }, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false, tiesKnots: true },
  'take-two': { inputs: { a: { type: 'value' }, b: { type: 'value' } }, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false },
  'want-exe': { inputs: { tool: { type: 'exe' } }, outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false },
};
const testNs: Namespace = {
  id: 't', spelling: 'test:t@1',
  describe: (req) => sigs[req.nameId] ?? assert.fail(`unknown ${req.nameId}`),
  realize: async () => ({ out: { kind: 'value', type: 'value', value: 'v', name: 'context:value?v=v' } }),
};
const registry = createRegistry([...builtinNamespaces, testNs], []);
const resolveText = (text: string) => resolve(parseName(text), registry, text);

async function structureError(text: string, message: RegExp): Promise<void> {
  await assert.rejects(resolveText(text), (e: unknown) => {
    assert.ok(e instanceof NomiaGraphError, String(e));
    assert.equal(e.code, 'graph/structure');
    assert.match(e.message, message);
    assert.match(e.excerpt, /\^/);
    return true;
  });
}

describe('resource types', () => {
  test('exe < file < fs-object; dir < fs-object; registered types join', () => {
    assert.ok(isSubtype('exe', 'fs-object'));
    assert.ok(isSubtype('exe', 'file'));
    assert.ok(!isSubtype('file', 'exe'));
    assert.ok(!isSubtype('dir', 'file'));
    registerType('elf', 'exe');
    assert.ok(isSubtype('elf', 'fs-object'));
    assert.throws(() => registerType('elf', 'dir'));
  });

  test('an input of the wrong type is an error at realize time, a subtype is accepted', async () => {
    const dir = tempDir('types');
    const store = openStore({ dir: join(dir, 'store') });
    writeFileSync(join(dir, 'plain'), 'x');
    const context: RunContext = { env: process.env, cwd: dir, now: Date.now(), stdin: () => process.stdin };
    try {
      await assert.rejects(realize(parseName('t:want-exe(tool: filesystem:import?path="./plain")'), { store, registry, context }),
        (e: unknown) => e instanceof NomiaError && /input `tool` of `t:want-exe` must be a exe, but .* is a file/.test(e.message));
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      const r = await realize(parseName('t:want-exe(tool: filesystem:import?path="./tool")'), { store, registry, context });
      assert.equal(r.roots[0]!.kind, 'value');
    } finally {
      store.close();
    }
  });
});

describe('substructural annotations', () => {
  test('a relevant output that is dropped', async () => {
    await structureError('t:make-relevant', /output `log` of `t:make-relevant` is relevant: it must be used/);
    await resolveText('let m = t:make-relevant in t:take-two(a: $m, b: $m.log)');
  });
  test('an affine output that is used twice', async () => {
    await structureError('let m = t:make-affine in t:take-two(a: $m, b: $m)', /output `out` of `t:make-affine` is affine: it may be used once, but it is used 2 times/);
    // The same name written twice is one node (graph/share.ts), hence one resource used twice, as through a variable.
    await structureError('t:take-two(a: t:make-affine, b: t:make-affine)', /is affine: it may be used once, but it is used 2 times/);
    await resolveText('t:take-two(a: t:make-affine?n=1, b: t:make-affine?n=2)');
  });
  test('a cycle whose namespace claims to tie knots but has no realizeKnot is refused at realize time, not a hang', async () => {
    const dir = tempDir('knot');
    const store = openStore({ dir: join(dir, 'store') });
    const context: RunContext = { env: process.env, cwd: dir, now: Date.now(), stdin: () => process.stdin };
    try {
      const knotSigs = { inputs: 'any', outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false, tiesKnots: true } as const;
      const knot: Namespace = { id: 'k', spelling: 'test:k@1', describe: () => knotSigs, realize: async () => assert.fail('never reached') };
      const reg = createRegistry([...builtinNamespaces, knot], []);
      await assert.rejects(realize(parseName('compose a = k:x(i: $b); b = k:y(i: $a)'), { store, registry: reg, context }),
        /cannot tie the knot through `k:x`, `k:y` \(1:13\): the namespace k says it ties knots but cannot \(it has no realizeKnot\)/);
    } finally {
      store.close();
    }
  });

  test('an ordered input fed through a cycle', async () => {
    await structureError('compose a = t:take-ordered(in: $a)', /input `in` of `t:take-ordered` is ordered and cannot be fed through a cycle/);
  });
  test('inputs a name does not take, and inputs it needs but lacks', async () => {
    await assert.rejects(resolveText('t:take-two(a: t:make-affine)'), /input `b` of `t:take-two` is not given/);
    await assert.rejects(resolveText('t:make-affine(x: t:make-affine)'), /has no input `x`/);
  });
});
