/**
 * One node per distinct application (graph/share.ts): the same atom, or the
 * same subtree, written out several times flattens to one node, as a
 * variable used several times does; anything a spelling reads that differs
 * keeps two nodes; cycles and `@x` are never merged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { flatten } from '../../src/graph/flatten.js';
import { nodeLabel } from '../../src/graph/render.js';
import { spell } from '../../src/graph/spell.js';
import { parseName } from '../../src/name/parse.js';
import { asLet, asTree, dag } from '../support/graphs.js';

const graphOf = (text: string) => flatten(parseName(text), text);
const labels = (text: string) => graphOf(text).nodes.map((n) => (n.kind === 'atomic' ? nodeLabel(n) : `@${n.variable}`));

describe('share: the same application written twice is one node', () => {
  test('a leaf written twice is one node feeding both ports, as through a variable', () => {
    const g = graphOf('f:f(x: a:a?k=1, y: a:a?k=1)');
    assert.deepEqual(labels('f:f(x: a:a?k=1, y: a:a?k=1)'), ['f:f', 'a:a?k=1']);
    assert.deepEqual(g.edges.map((e) => [e.from.node, e.to]), [[1, 0], [1, 0]]);
    const viaLet = graphOf('let v = a:a?k=1 in f:f(x: $v, y: $v)');
    assert.equal(spell(g).name, spell(viaLet).name);
    assert.equal(viaLet.nodes.length, 2);
  });

  test('a subtree written twice is shared whole, inputs and all', () => {
    assert.deepEqual(labels('f:f(x: g:g(a:a), y: g:g(a:a), z: a:a)'), ['f:f', 'g:g', 'a:a']);
  });

  test('twenty services given the same two inputs are 22 nodes, not 60', () => {
    const svc = (j: number) => `s${j} = service:process?args=[httpd, -p, "${j}"](exe: filesystem:by-content?sha256=aa/bin/busybox, www: filesystem:by-content?sha256=bb${j ? `, prev: $s${j - 1}` : ''})`;
    const g = graphOf(`let ${Array.from({ length: 20 }, (_, j) => svc(j)).join('; ')} in $s19`);
    assert.equal(g.nodes.length, 22);
    assert.equal(g.edges.length, 20 * 2 + 19);
  });

  test('parameter order and port order do not count (they do not in a spelling); everything else does', () => {
    assert.equal(graphOf('f:f(x: a:a?k=1&m=2, y: a:a?m=2&k=1)').nodes.length, 2);
    assert.equal(graphOf('f:f(x: g:g(p: a:a, q: b:b), y: g:g(q: b:b, p: a:a))').nodes.length, 4);
    const differing: [string, number][] = [
      ['f:f(x: a:a?k=1, y: a:a?k=2)', 3], ['f:f(x: a:a, y: b:a)', 3], ['f:f(x: a:a, y: a:b)', 3], ['f:f(x: g:g(a:a), y: g:g(b:b))', 5],
      ['f:f(x: g:g(p: a:a), y: g:g(q: a:a))', 4], ['f:f(x: g:g(a:a.out), y: g:g(a:a))', 4], ['f:f(x: g:g(a:a/p), y: g:g(a:a))', 4],
      ['f:f(x: (n:n.namespace):z, y: (m:m.namespace):z)', 5],
    ];
    for (const [text, count] of differing) {
      const g = graphOf(text);
      assert.equal(g.nodes.length, count, `${text}: ${labels(text).join(', ')}`);
      assert.equal(new Set(spell(g).nodes).size, count, `${text}: two nodes spell alike`);
    }
  });

  test('the same named namespace written twice is one node, and so is its name', () => {
    assert.deepEqual(labels('f:f(x: (n:n.namespace):z, y: (n:n.namespace):z)').length, 3);
  });

  test('members of a cycle stay apart even when they spell alike; what they feed is shared', () => {
    const g = graphOf('compose a = f:f($b); b = f:f($a); top:top(x: g:g($a), y: g:g($a))');
    assert.deepEqual(labels('compose a = f:f($b); b = f:f($a); top:top(x: g:g($a), y: g:g($a))'), ['f:f', 'f:f', 'top:top', 'g:g']);
    const s = spell(g).nodes;
    assert.equal(s[0], s[1], 'the two members spell alike');
  });

  test('`@x` variables are not merged', () => {
    assert.equal(graphOf('f:f(x: @r, y: @r)').nodes.length, 3);
  });

  test('open inputs of a shared node are listed once', () => {
    const g = graphOf('f:f(x: exec:run?args=[$in], y: exec:run?args=[$in])');
    assert.deepEqual(g.openInputs, [{ node: 1, port: 'in' }]);
  });

  test('the shared node keeps the span of its first occurrence', () => {
    const text = 'f:f(x: a:a, y: a:a)';
    assert.equal(graphOf(text).nodes[1]!.span?.start.column, 8);
  });

  test('property: a DAG written as a tree (shared nodes written out again) flattens to the graph its `let` form does, each node spelled differently', () => {
    fc.assert(fc.property(dag, (nodes) => {
      const tree = graphOf(asTree(nodes));
      const viaLet = graphOf(asLet(nodes));
      assert.equal(tree.nodes.length, viaLet.nodes.length);
      assert.equal(tree.edges.length, viaLet.edges.length);
      const spelled = spell(tree);
      assert.equal(spelled.name, spell(viaLet).name);
      assert.equal(new Set(spelled.nodes).size, tree.nodes.length, 'two nodes of one graph spell alike');
    }));
  });
});
