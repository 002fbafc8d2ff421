/**
 * One spelling for a name (namespace/spelling.ts): the namespace's own
 * parameters count and their order does not, the bytes are those of
 * docs/spec/spelling.md, and every path that spells a name (nomia spell,
 * prepare, resolve, engineSpelling, respell, following and recording
 * reductions) agrees.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { engineSpelling } from '../../src/engine/reductions.js';
import { prepare, resolve } from '../../src/engine/resolve.js';
import { respell } from '../../src/engine/respell.js';
import { toSpelling } from '../../src/graph/spell.js';
import { parseName } from '../../src/name/parse.js';
import { printValue } from '../../src/name/print.js';
import { createRegistry } from '../../src/namespace/registry.js';
import { spellName } from '../../src/namespace/spelling.js';
import type { Namespace, Resource } from '../../src/namespace/types.js';
import { builtinNamespaces } from '../../src/namespaces/index.js';
import { openStore } from '../../src/store/store.js';
import { join } from 'node:path';
import { nomia, tempDir } from '../support/cli.js';

/** A namespace that takes parameters of its own, like `private-filesystem?user=…`, and any inputs. */
const pns: Namespace = {
  id: 'pns',
  spelling: 'test:pns@1',
  describe: () => ({ inputs: 'any', outputs: { out: { type: 'value' } }, defaultOutput: 'out', contextual: false }),
  realize: async () => ({}),
};
const registry = createRegistry([...builtinNamespaces, pns], []);

const u8 = (n: number) => Buffer.from([n]);
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const str = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
const H = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

const param = fc.tuple(fc.constantFrom('a', 'b', 'user', 'zz', 'é'), fc.string({ minLength: 0, maxLength: 6 }));
const params = fc.uniqueArray(param, { minLength: 1, maxLength: 4, selector: ([k]) => k });
const written = (ps: readonly (readonly [string, string])[]) => ps.map(([k, v]) => `${k}=${printValue({ kind: 'String', value: v })}`).join('&');

describe('one spelling for a name', () => {
  test('the namespace parameters are spelled sorted, as the spec says, byte for byte', () => {
    const ns = 'test:pns@1[["a",{"kind":"String","value":"1"}],["b",{"kind":"String","value":"2"}]]';
    const expected = toSpelling(H(str('nomia-node-1'), u8(3), str(ns), str('x'), u32(0), u32(0)));
    assert.equal(spellName('pns?b=2&a=1:x', registry), expected);
    assert.equal(spellName('pns?a=1&b=2:x', registry), expected);
    // Without parameters, the namespace's spelling alone.
    assert.equal(spellName('pns:x', registry), toSpelling(H(str('nomia-node-1'), u8(3), str('test:pns@1'), str('x'), u32(0), u32(0))));
    // An id the namespace of namespaces does not know is spelled as written (tag 1).
    assert.equal(spellName('nosuch?k=v:x', registry), toSpelling(H(str('nomia-node-1'), u8(1), str('nosuch'), u32(1), str('k'), u8(1), str('v'), str('x'), u32(0), u32(0))));
  });

  test('golden spellings of names with namespace parameters (regenerate with NOMIA_TEST_ACCEPT=1)', () => {
    const file = new URL('../../../test/fixtures/namespace-spellings.tsv', import.meta.url);
    const h = 'ab'.repeat(32);
    const names = [
      `private-filesystem?user=alice:by-content?sha256=${h}`, `private-filesystem?user=bob:by-content?sha256=${h}`,
      'pns?user=root&a=[x, y]:x(in: context:value?v=1)', 'filesystem:by-content?name=n&sha256=' + h,
    ];
    const actual = names.map((n) => `${n}\t${spellName(n, registry)}`).join('\n') + '\n';
    if (process.env['NOMIA_TEST_ACCEPT'] === '1') writeFileSync(file, actual);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });

  test('different parameter values spell apart; any order spells alike', () => {
    fc.assert(fc.property(params, params, fc.context(), (p, q, ctx) => {
      const a = spellName(`pns?${written(p)}:x`, registry);
      const reversed = spellName(`pns?${written([...p].reverse())}:x`, registry);
      assert.equal(a, reversed);
      const same = JSON.stringify([...p].sort()) === JSON.stringify([...q].sort());
      ctx.log(`${written(p)} vs ${written(q)}`);
      assert.equal(a === spellName(`pns?${written(q)}:x`, registry), same);
    }));
  });

  test('every path that spells a name agrees', async () => {
    const store = openStore({ dir: join(tempDir('respell'), 'store'), fsync: false });
    await fc.assert(fc.asyncProperty(params, fc.string({ maxLength: 5 }), async (p, v) => {
      const input = `context:value?v=${printValue({ kind: 'String', value: v })}`;
      const text = `pns?${written(p)}:x(in: ${input})`;
      const name = parseName(text);
      const expected = spellName(text, registry);
      assert.ok(expected);
      assert.equal(prepare(name, registry, text).spellings.name, expected, 'prepare');
      const resolved = await resolve(name, registry, text);
      assert.equal(resolved.spelling, expected, 'resolve');
      assert.equal(await engineSpelling(text, registry), expected, 'engineSpelling');
      // Re-spelled from the refined name of its input (the input as written): the same node.
      const refined: Resource = { kind: 'value', type: 'value', value: v, name: input };
      const node = resolved.nodes.find((n) => n.namespace === pns)!;
      assert.equal(await respell(node, resolved.graph, { in: refined }, registry, store), expected, 'respell');
    }), { numRuns: 40 });
  });

  test('nomia spell spells as realize does: namespace parameters count, their order does not', () => {
    const store = join(tempDir('spell'), 'store');
    const spell = (name: string) => nomia(store, ['spell', name]).out.trim();
    const h = 'ab'.repeat(32);
    const alice = spell(`private-filesystem?user=alice:by-content?sha256=${h}`);
    assert.notEqual(alice, spell(`private-filesystem?user=bob:by-content?sha256=${h}`));
    assert.equal(alice, spellName(`private-filesystem?user=alice:by-content?sha256=${h}`, createRegistry(builtinNamespaces, [])));
    assert.equal(spell('git:exact-fetch?rev=1&repo="/r"'), spellName('git:exact-fetch?repo="/r"&rev=1', registry));
  });
});
