/**
 * `applyNode` builds the graph of `head(args…)` from the graphs of its
 * arguments: it must spell exactly as the text does when parsed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyNode } from '../../src/graph/apply.js';
import { flatten } from '../../src/graph/flatten.js';
import { spell } from '../../src/graph/spell.js';
import type { AtomicNode, PortKey } from '../../src/graph/types.js';
import { parseName } from '../../src/name/parse.js';

const graphOf = (text: string) => flatten(parseName(text), text);

describe('applyNode', () => {
  const cases: { head: string; args: [PortKey, string][] }[] = [
    { head: 'exec:run?args=[sh, -c, "cat $a $b > $out"]', args: [[{ kind: 'named', name: 'a' }, 'filesystem:by-content?name=x&sha256=00'], [{ kind: 'named', name: 'b' }, 'context:value?v=1']] },
    { head: 'text:digest?i=1', args: [[{ kind: 'positional', index: 1 }, 'context:value?v=b'], [{ kind: 'positional', index: 0 }, 'context:value?v=a']] },
    { head: 'ns?p=[1, 2]:f', args: [[{ kind: 'named', name: 'in' }, '(git:tree?rev=1).src/dir/a.c'], [{ kind: 'named', name: 'x' }, 'let t = a:b in c:d(e: $t, f: $t)']] },
  ];
  for (const c of cases) {
    test(`spells as the text: ${c.head}(…)`, () => {
      const head = graphOf(c.head).nodes[0] as AtomicNode;
      const applied = applyNode(head, c.args.map(([port, text]) => ({ port, graph: graphOf(text) })))!;
      const positional = c.args.filter(([p]) => p.kind === 'positional').sort(([a], [b]) => (a as { index: number }).index - (b as { index: number }).index);
      const named = c.args.filter(([p]) => p.kind === 'named');
      const text = `${c.head}(${[...positional.map(([, t]) => `(${t})`), ...named.map(([p, t]) => `${(p as { name: string }).name}: (${t})`)].join(', ')})`;
      assert.equal(spell(applied).name, spell(graphOf(text)).name);
    });
  }

  test('an argument with several roots is left to the text', () => {
    const head = graphOf('a:b').nodes[0] as AtomicNode;
    assert.equal(applyNode(head, [{ port: { kind: 'named', name: 'x' }, graph: graphOf('compose c:d; e:f') }]), undefined);
  });
});
