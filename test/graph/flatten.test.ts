import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NomiaGraphError } from '../../src/errors.js';
import { flatten } from '../../src/graph/flatten.js';
import { renderDot, renderText } from '../../src/graph/render.js';
import { parseName } from '../../src/name/parse.js';

const graphOf = (text: string) => flatten(parseName(text), text);

function graphError(text: string, code: string, column: number, mentions: RegExp): void {
  assert.throws(() => graphOf(text), (e: unknown) => {
    assert.ok(e instanceof NomiaGraphError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.span?.start.column, column, e.message);
    assert.match(e.message, mentions);
    assert.match(e.excerpt, /\^/);
    return true;
  });
}

describe('flatten', () => {
  test('the seed example: three nodes, two named edges, a projection', () => {
    const g = graphOf('package:build-in-sandbox?args=[bash, -c, $script](exe: filesystem:by-content?name=bootstrap-tools&sha256=faede8/bin/bash, script: filesystem:by-content?sha256=b976)');
    assert.equal(g.nodes.length, 3);
    assert.deepEqual(g.edges.map((e) => [e.from.node, e.to, e.port, e.from.projection]), [
      [1, 0, { kind: 'named', name: 'exe' }, ['bin', 'bash']],
      [2, 0, { kind: 'named', name: 'script' }, undefined],
    ]);
    assert.deepEqual(g.roots, [{ node: 0 }]);
    assert.deepEqual(g.openInputs, [], '$script is fed, so not open');
  });

  test('a `$input` in parameters that nothing feeds is an open input', () => {
    const g = graphOf('exec:run?args=[tr, a-z, A-Z, $in]');
    assert.deepEqual(g.openInputs, [{ node: 0, port: 'in' }]);
  });

  test('let, compose and nesting disappear; variables become wires', () => {
    for (const text of ['f:f(x: g:g)', 'let a = g:g in f:f(x: $a)', 'compose f:f(x: $a); a = g:g', '(f:f(x: (g:g)))', '(let a = g:g in f:f(x: $a))']) {
      const g = graphOf(text);
      assert.equal(g.nodes.length, 2, text);
      assert.equal(g.edges.length, 1, text);
      assert.equal(g.roots.length, 1, text);
    }
  });

  test('a variable used twice is one node with two outgoing edges', () => {
    const g = graphOf('let a = g:g in f:f(x: $a, y: $a.out)');
    assert.equal(g.nodes.length, 2);
    assert.deepEqual(g.edges.map((e) => e.from), [{ node: 0 }, { node: 0, output: 'out' }]);
  });

  test('cycles are kept', () => {
    const g = graphOf('compose a = glibc:glibc(sh: $b); b = bash:bash(libc: $a); env:env(x: $b)');
    assert.equal(g.nodes.length, 3);
    const edges = g.edges.map((e) => `${e.from.node}->${e.to}`).sort();
    assert.deepEqual(edges, ['0->1', '1->0', '1->2']);
    assert.equal(g.roots.length, 1);
  });

  test('a compose with only bound declarations has all of them as roots', () => {
    assert.equal(graphOf('compose a = f:f($b); b = f:f($a)').roots.length, 2);
  });

  test('named namespaces wire the namespace node', () => {
    const g = graphOf('(client-projects:acme.namespace):server/login');
    const server = g.nodes[g.roots[0]!.node]!;
    assert.ok(server.kind === 'atomic' && server.namespace.kind === 'named');
    assert.deepEqual(server.namespace.source.output, 'namespace');
    assert.deepEqual(g.roots[0]!.projection, ['login']);
  });

  test('substituting into a nested name adds inputs to its result', () => {
    const g = graphOf('(f:f(a:a))(b:b)');
    assert.deepEqual(g.edges.map((e) => e.port), [{ kind: 'positional', index: 0 }, { kind: 'positional', index: 1 }]);
  });

  test('inner declarations shadow outer ones', () => {
    const g = graphOf('let a = x:x in f:f(p: $a, q: (let a = y:y in $a))');
    const labels = g.edges.map((e) => { const n = g.nodes[e.from.node]!; return n.kind === 'atomic' ? n.nameId : '?'; });
    assert.deepEqual(labels, ['x', 'y']);
  });

  test('resolved variables become resolved nodes', () => {
    const g = graphOf('f:f(x: @r, y: @r)');
    assert.deepEqual(g.resolvedVariables, ['r']);
    assert.equal(g.nodes.filter((n) => n.kind === 'resolved').length, 2);
  });

  test('long forward-reference chains do not recurse', () => {
    const n = 20_000;
    const decls = Array.from({ length: n }, (_, i) => `a${i} = f:f(x: $a${i + 1})`);
    decls.push(`a${n} = leaf:leaf`);
    const g = graphOf(`compose ${decls.join('; ')}; top:top($a0)`);
    assert.equal(g.nodes.length, n + 2);
  });
});

describe('flatten: validation errors carry positions', () => {
  test('unbound $x', () => graphError('f:f(x: $nope)', 'graph/unbound-variable', 8, /`\$nope` is not bound/));
  test('a variable bound twice', () => graphError('let a = x:x; a = y:y in $a', 'graph/duplicate-binding', 14, /`a` is bound twice \(first at 1:5\)/));
  // One input list with a formal twice is a syntax error; inputs added to a nested name's result can still clash.
  test('an input given twice', () => graphError('(f:f(x: a:a))(x: b:b)', 'graph/duplicate-binding', 15, /input `x` is given twice/));
  test('a variable defined as itself', () => graphError('let a = $a in f:f($a)', 'graph/invalid', 9, /defined in terms of itself/));
  test('inputs given to a variable', () => graphError('let a = x:x in $a(y:y)', 'graph/invalid', 16, /cannot take inputs/));
  test('a nested compose with two results', () => graphError('f:f((compose a:a; b:b))', 'graph/invalid', 5, /exactly one result/));
  test('an output selected twice', () => graphError('let a = (x:x.o) in $a.p', 'graph/invalid', 23, /already an output reference/));
});

describe('render', () => {
  test('text and dot show nodes, ports, projections, roots and open inputs', () => {
    const g = graphOf('let t = tools:t in build:b?args=[$src](exe: $t/bin/sh)');
    const text = renderText(g);
    assert.match(text, /^n0 tools:t {2}\(1:9\)$/m);
    assert.match(text, /^ {2}exe <- n0\/bin\/sh$/m);
    assert.match(text, /^roots: n1$/m);
    assert.match(text, /^open inputs: n1\.src$/m);
    const dot = renderDot(g);
    assert.match(dot, /^digraph nomia \{/);
    assert.match(dot, /n0 -> n1 \[label="\/bin\/sh → exe"\];/);
    assert.match(dot, /n1 \[label="build:b\?args=\[\$src\]"\];/);
  });
});
