import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { NomiaGraphError } from '../../src/errors.js';
import { flatten } from '../../src/graph/flatten.js';
import { spell, toSpelling, type Spelling, type SpellOptions } from '../../src/graph/spell.js';
import { parseName } from '../../src/name/parse.js';
import { printWith } from '../../src/name/print.js';
import { trivia } from '../support/arbitraries.js';
import { asCompose, asLet, asTree, dag, type ModelNode } from '../support/graphs.js';

const spellingOf = (text: string, options?: SpellOptions): Spelling => spell(flatten(parseName(text), text), options).name;
const nodeSpellings = (text: string): Spelling[] => [...spell(flatten(parseName(text), text)).nodes];

describe('spelling laws (property tests)', () => {
  test('the same graph written as a tree, with let, with compose in any order, or nested spells the same', () => {
    fc.assert(fc.property(dag, fc.func(fc.integer()), (nodes, key) => {
      const order = nodes.map((_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
      const tree = spellingOf(asTree(nodes));
      assert.equal(spellingOf(asLet(nodes)), tree);
      assert.equal(spellingOf(asCompose(nodes, order)), tree);
      assert.equal(spellingOf(asCompose(nodes, order, (k) => `other_${k * 7}`)), tree);
      assert.equal(spellingOf(`(${asLet(nodes)})`), tree);
    }), { numRuns: 300 });
  });

  test('parameter order in the text does not matter', () => {
    fc.assert(fc.property(dag, fc.func(fc.integer()), (nodes, key) => {
      const shuffle = (ps: [string, string][]) => [...ps].sort((a, b) => key(a[0]) - key(b[0]));
      assert.equal(spellingOf(asTree(nodes, 0, shuffle)), spellingOf(asTree(nodes)));
    }), { numRuns: 300 });
  });

  test('whitespace and comments do not matter', () => {
    fc.assert(fc.property(dag, fc.infiniteStream(trivia), (nodes, seps) => {
      const text = asCompose(nodes, nodes.map((_, i) => i));
      const it = seps[Symbol.iterator]();
      const noisy = printWith(parseName(text), { separator: () => it.next().value as string });
      assert.equal(spellingOf(noisy), spellingOf(text));
    }), { numRuns: 300 });
  });

  const mutation = fc.constantFrom('param', 'add-param', 'name-id', 'namespace', 'port', 'rewire', 'drop-edge', 'output');
  test('changing any parameter, name id, namespace or edge changes the spelling', () => {
    fc.assert(fc.property(dag, mutation, fc.nat(), fc.nat(), (nodes, kind, a, b) => {
      const before = spellingOf(asTree(nodes));
      const copy: ModelNode[] = structuredClone(nodes);
      const node = copy[a % copy.length]!;
      const withInputs = copy.filter((n) => n.inputs.length > 0);
      switch (kind) {
        case 'param':
          fc.pre(node.params.length > 0);
          node.params[b % node.params.length]![1] += 'x';
          break;
        case 'add-param':
          fc.pre(!node.params.some(([k]) => k === 'fresh'));
          node.params.push(['fresh', '0']);
          break;
        case 'name-id': node.nameId += 'x'; break;
        case 'namespace': node.namespace += 'x'; break;
        case 'port': {
          fc.pre(withInputs.length > 0);
          const n = withInputs[b % withInputs.length]!;
          n.inputs[0]![0] = 'renamed';
          break;
        }
        case 'rewire': {
          fc.pre(withInputs.length > 0);
          const n = withInputs[b % withInputs.length]!;
          const before0 = nodeSpellings(asTree(nodes, n.inputs[0]![1]));
          n.inputs[0]![1] = n.inputs[0]![1] === copy.length - 1 ? n.inputs[0]![1] : copy.length - 1;
          fc.pre(nodeSpellings(asTree(copy, n.inputs[0]![1]))[0] !== before0[0]);
          break;
        }
        case 'drop-edge': {
          fc.pre(withInputs.length > 0);
          const n = withInputs[b % withInputs.length]!;
          n.inputs.pop();
          break;
        }
        case 'output':
          assert.notEqual(spellingOf(`${asTree(nodes)}.out`), before);
          assert.notEqual(spellingOf(`(${asTree(nodes)})/sub`), before);
          return;
      }
      assert.notEqual(spellingOf(asTree(copy)), before, kind);
    }), { numRuns: 500 });
  });
});

const glibc = 'compose libc = glibc:build(sh: $sh); sh = bash:build(libc: $libc); env:make(a: $sh, b: $libc)';

describe('cycles', () => {
  test('a cycle spells the same however its declarations are ordered or named', () => {
    const base = spellingOf(glibc);
    assert.equal(spellingOf('compose env:make(a: $y, b: $x); y = bash:build(libc: $x); x = glibc:build(sh: $y)'), base);
    assert.equal(spellingOf('let s = bash:build(libc: $l); l = glibc:build(sh: $s) in env:make(b: $l, a: $s)'), base);
  });

  test('members of one cycle get different spellings when they differ', () => {
    const s = nodeSpellings(glibc);
    assert.notEqual(s[0], s[1]);
  });

  test('changing one member changes every member and the result', () => {
    const a = nodeSpellings(glibc);
    const b = nodeSpellings(glibc.replace('bash:build', 'bash:build?v=2'));
    assert.notEqual(a[0], b[0]);
    assert.notEqual(a[1], b[1]);
    assert.notEqual(a[2], b[2]);
  });

  test('bisimilar members spell alike: a 2-cycle of f is a self-loop of f', () => {
    const two = nodeSpellings('compose a = f:f(x: $b); b = f:f(x: $a)');
    const one = nodeSpellings('compose a = f:f(x: $a)');
    assert.equal(two[0], two[1]);
    assert.equal(two[0], one[0]);
    assert.notEqual(one[0], nodeSpellings('compose a = f:f(y: $a)')[0]);
  });

  test('rotating a 3-cycle does not change its spelling; reversing it does', () => {
    const r = (a: string, b: string, c: string) => `compose p = ${a}:n(x: $q); q = ${b}:n(x: $s); s = ${c}:n(x: $p); top:t($p)`;
    const base = spellingOf(r('a', 'b', 'c'));
    assert.equal(spellingOf('compose s = c:n(x: $p); q = b:n(x: $s); top:t($p); p = a:n(x: $q)'), base);
    assert.notEqual(spellingOf(r('a', 'c', 'b')), base);
  });

  test('random graphs with cycles spell the same under renumbering', () => {
    const graph = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(
      fc.array(fc.constantFrom('f', 'g'), { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.constantFrom('x', 'y')), { maxLength: 2 * n }),
      fc.func(fc.integer()),
    ));
    fc.assert(fc.property(graph, ([ids, edges, key]) => {
      const inputs = ids.map(() => new Map<string, number>());
      for (const [from, to, port] of edges) inputs[to]!.set(port, from);
      const decl = (i: number, name: (k: number) => string) => {
        const args = [...inputs[i]!].map(([p, f]) => `${p}: $${name(f)}`);
        return `${name(i)} = ${ids[i]}:n${args.length ? `(${args.join(', ')})` : ''}`;
      };
      const write = (order: number[], name: (k: number) => string) =>
        `compose ${order.map((i) => decl(i, name)).join('; ')}; top:t(${ids.map((_, i) => `p${i}: $${name(i)}`).join(', ')})`;
      const natural = ids.map((_, i) => i);
      const shuffled = [...natural].sort((a, b) => key(a) - key(b) || a - b);
      assert.equal(spellingOf(write(shuffled, (k) => `z${k * 3 + 1}`)), spellingOf(write(natural, (k) => `v${k}`)));
    }), { numRuns: 300 });
  });

  test('a 10 000-member ring is spelled without deep recursion', () => {
    const n = 10_000;
    const decls = Array.from({ length: n }, (_, i) => `a${i} = f:f(x: $a${(i + 1) % n})`);
    const s = nodeSpellings(`compose ${decls.join('; ')}`);
    assert.equal(new Set(s).size, 1);
  });
});

describe('spelling errors', () => {
  test('an @x left unbound', () => {
    assert.throws(() => spellingOf('f:f(x: @r)'), (e: unknown) => e instanceof NomiaGraphError && e.code === 'graph/unbound-resolved' && e.span?.start.column === 8);
  });
  test('binding @x makes it spellable, and the binding matters', () => {
    const a = spellingOf('f:f(x: @r)', { resolved: { r: spellingOf('a:a') } });
    const b = spellingOf('f:f(x: @r)', { resolved: { r: spellingOf('b:b') } });
    assert.notEqual(a, b);
  });
  test('an unqualified name needs a default namespace', () => {
    assert.throws(() => spellingOf('stdin'), (e: unknown) => e instanceof NomiaGraphError && e.code === 'spell/no-namespace');
    assert.equal(spellingOf('stdin', { defaultNamespace: 'filesystem' }), spellingOf('filesystem:stdin'));
  });
});

describe('the spec in docs/spec/spelling.md', () => {
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); const n = Buffer.alloc(4); n.writeUInt32BE(b.length); return Buffer.concat([n, b]); };
  const u32 = (x: number) => { const n = Buffer.alloc(4); n.writeUInt32BE(x); return n; };
  const u8 = (x: number) => Buffer.from([x]);
  const H = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

  test('worked example: ns:id?k=v', () => {
    const bytes = Buffer.concat([str('nomia-node-1'), u8(1), str('ns'), u32(0), str('id'), u32(1), str('k'), u8(1), str('v'), u32(0)]);
    assert.equal(bytes.length, 52);
    assert.equal(spellingOf('ns:id?k=v'), toSpelling(H(bytes)));
  });

  test('an edge with output and projection, ports in canonical order, lists and input refs', () => {
    const leaf = H(str('nomia-node-1'), u8(1), str('a'), u32(0), str('b'), u32(0), u32(0));
    const src = (output?: string, proj: string[] = []) => Buffer.concat([u8(1), leaf, output === undefined ? u8(0) : Buffer.concat([u8(1), str(output)]), u32(proj.length), ...proj.map(str)]);
    const top = H(str('nomia-node-1'), u8(1), str('f'), u32(1), str('z'), u8(1), str('1'), str('g'),
      u32(2), str('args'), u8(2), u32(2), u8(1), str('-c'), u8(3), str('s'), str('m'), u8(1), str('x'),
      u32(3), u8(1), u32(0), src(), u8(2), str('p'), src('out', ['bin', 'sh']), u8(2), str('s'), src());
    assert.equal(spellingOf('f?z=1:g?m=x&args=[-c, $s](s: a:b, p: a:b.out/bin/sh, a:b)'), toSpelling(top));
  });

  test('a self-loop: round 0, one refinement round, component, member', () => {
    const rec = (idx?: number) => Buffer.concat([str('nomia-node-1'), u8(1), str('f'), u32(0), str('f'), u32(0), u32(1),
      u8(2), str('x'), u8(2), ...(idx === undefined ? [] : [u32(idx)]), u8(0), u32(0)]);
    const component = H(str('nomia-component-1'), u32(1), rec(0));
    assert.equal(spellingOf('compose a = f:f(x: $a)'), toSpelling(H(str('nomia-member-1'), component, u32(0))));
  });

  test('a name with several roots', () => {
    const one = (id: string) => H(str('nomia-node-1'), u8(1), str(id), u32(0), str(id), u32(0), u32(0));
    const expected = H(str('nomia-name-1'), u32(2), u8(1), one('a'), u8(0), u32(0), u8(1), one('b'), u8(0), u32(0));
    assert.equal(spellingOf('compose a:a; b:b'), toSpelling(expected));
  });

  test('golden spellings (regenerate with NOMIA_TEST_ACCEPT=1)', () => {
    const file = new URL('../../../test/fixtures/spellings.tsv', import.meta.url);
    const names = ['ns:id?k=v', 'git:exact-fetch?repo=https://github.com/NixOS/nixpkgs&rev=785d2c03a0d',
      'package:build-in-sandbox?args=[bash, -c, $script](exe: filesystem:by-content?name=bootstrap-tools&sha256=faede8fa5734e721deb694cb1ad335ddca2ea821046ff9b3b893176054b9499b/bin/bash, script: filesystem:by-content?sha256=b97662dfb9667dc7b501d37bf8bf5a2826dcde43decc6039a2a44356cfb483d7)',
      glibc, 'compose a = f:f(x: $b); b = f:f(x: $a)', '(client-projects:acme.namespace):server/login', 'compose a:a; (b:b.out)'];
    const actual = names.map((n) => `${n}\t${spellingOf(n)}`).join('\n') + '\n';
    if (process.env['NOMIA_TEST_ACCEPT'] === '1') writeFileSync(file, actual);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });
});
