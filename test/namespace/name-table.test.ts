/**
 * A namespace as a table of its names (namespace/name-table.ts): describe
 * and realize go to the name's entry; an unknown name is the same usage
 * error in both, listing the forms and suggesting the closest one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { makesObject, namespaceOfNames } from '../../src/namespace/name-table.js';
import type { AtomRequest, RealizeContext } from '../../src/namespace/types.js';
import { ccNamespace } from '../../src/namespaces/cc/index.js';
import { ninjaNamespace } from '../../src/namespaces/ninja/index.js';

const request = (id: string, nameId: string): AtomRequest => ({ namespace: { id, params: [] }, nameId, params: [] });

test('describe and realize answer from the name\'s entry', async () => {
  const ns = namespaceOfNames('demo', 2, {
    make: { form: 'make?x=…', signature: makesObject({ contextual: true }), realize: async (req) => ({ out: { kind: 'value', name: `${req.nameId}!`, type: 'string', value: 'v' } }) },
  });
  assert.equal(ns.spelling, 'builtin:demo@2');
  assert.deepEqual(await ns.describe(request('demo', 'make')), { inputs: 'any', outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: true });
  const out = await ns.realize(request('demo', 'make'), {}, {} as RealizeContext);
  assert.equal(out['out']?.name, 'make!');
});

test('an unknown name, in describe and in realize, lists the forms and suggests the closest; a name of Object.prototype is unknown too', async () => {
  for (const nameId of ['compil', 'toString']) {
    const expected = (e: unknown) => e instanceof NomiaError && e.code === 'usage' && e.message.startsWith(`cc:${nameId} is not a name of this namespace`)
      && e.hint === 'the cc namespace has: compile?args=[…](src: FILE, include: TREE, toolchain: TREE), compile-exact?…, archive?name=…(objects…, toolchain: TREE), link?args=[…]&name=…(objects…, toolchain: TREE), link-interface?…&shared=[…]';
    assert.throws(() => ccNamespace.describe(request('cc', nameId)), expected);
    await assert.rejects(async () => ccNamespace.realize(request('cc', nameId), {}, {} as RealizeContext), expected);
  }
  assert.throws(() => ccNamespace.describe(request('cc', 'compil')), /did you mean `compile`\?/);
});

test('ninja: headers and files read a directory of the caller\'s (contextual, no inputs); the others take any inputs', async () => {
  for (const id of ['headers', 'files']) assert.deepEqual(await ninjaNamespace.describe(request('ninja', id)), { inputs: {}, outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: true });
  for (const id of ['command', 'headers-of', 'build']) assert.equal((await ninjaNamespace.describe(request('ninja', id))).inputs, 'any');
});
