/**
 * Namespaces' own spellings (`override`): the bytes of the spec, composition
 * into everything downstream, cycles spelled as one unit regardless, and the
 * async driver for overrides behind a protocol.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { flatten } from '../../src/graph/flatten.js';
import { sourceSpelling, spell, spellAsync, spelledBy, toSpelling, type NodeOverride, type Spelling, type SpellOptions } from '../../src/graph/spell.js';
import type { AtomicNode, Graph } from '../../src/graph/types.js';
import { parseName } from '../../src/name/parse.js';

const graphOf = (text: string): Graph => flatten(parseName(text), text);
const byId = (g: Graph, nameId: string): number => g.nodes.findIndex((n) => n.kind === 'atomic' && n.nameId === nameId);

/** An override for nodes of namespace `t` that leaves out the parameter `label`. */
function dropLabel(g: Graph, seen: { node: number; inputs: Record<string, Spelling> }[] = []): SpellOptions['override'] {
  return (i, inputs) => {
    const n = g.nodes[i] as AtomicNode;
    if (n.namespace.kind !== 'builtin' || n.namespace.id !== 't') return undefined;
    seen.push({ node: i, inputs: { ...inputs() } });
    const params = n.params.filter((p) => p.key !== 'label').map((p) => [p.key, p.value]);
    return { scope: 'test:t@1', text: JSON.stringify([n.nameId, params, inputs()]) };
  };
}

describe('spelled by the namespace', () => {
  test('the bytes: H(str("nomia-spelled-1") str(scope) str(text))', () => {
    const str = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const o: NodeOverride = { scope: 'builtin:exec@1', text: 'canonical' };
    const expected = toSpelling(createHash('sha256').update(Buffer.concat([str('nomia-spelled-1'), str(o.scope), str(o.text)])).digest());
    assert.equal(spelledBy(o), expected);
    assert.notEqual(spelledBy({ scope: 'builtin:other@1', text: 'canonical' }), expected, 'scoped by the namespace');
  });

  test('a node spelled by its namespace changes every spelling downstream, and only where its answer changes', () => {
    const text = (label: string) => `u:top(x: t:mid?label=${label}&k=1(y: u:leaf?v=1))`;
    const a = graphOf(text('a'));
    const b = graphOf(text('b'));
    const seen: { node: number; inputs: Record<string, Spelling> }[] = [];
    const sa = spell(a, { override: dropLabel(a, seen) });
    const sb = spell(b, { override: dropLabel(b) });
    assert.equal(sa.name, sb.name, 'the label does not count');
    assert.notEqual(spell(a).name, spell(b).name, 'by default it does');
    const mid = byId(a, 'mid');
    assert.equal(sa.nodes[mid], spelledBy({ scope: 'test:t@1', text: JSON.stringify(['mid', [['k', { kind: 'String', value: '1' }]], { y: sa.nodes[byId(a, 'leaf')] }]) }));
    assert.deepEqual(seen, [{ node: mid, inputs: { y: sa.nodes[byId(a, 'leaf')]! } }], 'asked once, with the spelling of what feeds each port');
    assert.equal(sa.nodes[byId(a, 'leaf')], spell(a).nodes[byId(a, 'leaf')], 'upstream is untouched');
    const other = graphOf('u:top(x: t:mid?label=a&k=2(y: u:leaf?v=1))');
    assert.notEqual(spell(other, { override: dropLabel(other) }).name, sa.name, 'what counts still counts');
  });

  test('canonical parameters: spelled exactly like the name written with them', () => {
    const g = graphOf('u:top(x: t:mid?label=a&k=1(y: u:leaf))');
    const canonical: SpellOptions['override'] = (i) => {
      const n = g.nodes[i] as AtomicNode;
      return n.nameId === 'mid' ? { params: n.params.filter((p) => p.key !== 'label') } : undefined;
    };
    const plain = graphOf('u:top(x: t:mid?k=1(y: u:leaf))');
    assert.deepEqual(spell(g, { override: canonical }), spell(plain));
  });

  test('an input from a projection or a named output reaches the namespace as that source\'s spelling', () => {
    const g = graphOf('t:mid(y: u:leaf.doc/a/b)');
    const seen: { node: number; inputs: Record<string, Spelling> }[] = [];
    const s = spell(g, { override: dropLabel(g, seen) });
    assert.deepEqual(seen[0]!.inputs, { y: sourceSpelling(s.nodes[byId(g, 'leaf')]!, 'doc', ['a', 'b']) });
  });

  test('members of a cycle are never asked: a cycle is spelled as one unit', () => {
    const g = graphOf('compose a = t:x?label=1(i: $b); b = t:x?label=2(i: $a); u:top(t: $a)');
    const seen: { node: number; inputs: Record<string, Spelling> }[] = [];
    assert.deepEqual(spell(g, { override: dropLabel(g, seen) }), spell(g));
    assert.deepEqual(seen, []);
  });

  test('an override that answers with a promise needs spellAsync, which agrees with spell', async () => {
    const g = graphOf('u:top(x: t:mid?label=a(y: u:leaf))');
    const sync = dropLabel(g)!;
    const later: SpellOptions['override'] = (i, inputs) => {
      const o = sync(i, inputs);
      return o === undefined ? undefined : Promise.resolve(o);
    };
    assert.throws(() => spell(g, { override: later }), /spellAsync/);
    assert.deepEqual(await spellAsync(g, { override: later }), spell(g, { override: sync }));
  });
});
