import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseExpression } from '../../src/name/parse.js';
import { print, printWith } from '../../src/name/print.js';
import { fromJson, toJson } from '../../src/name/json.js';
import { nameArbitraries, trivia } from '../support/arbitraries.js';
import { assertSameAst } from '../support/ast.js';

const all = nameArbitraries({ formalUnqualified: true }).name;
const exact = nameArbitraries({ formalUnqualified: false }).name;

test('print(parse(print(x))) == print(x) over generated ASTs', () => {
  fc.assert(fc.property(all, (n) => {
    const text = print(n);
    assert.equal(print(parseExpression(text)), text);
  }), { numRuns: 600 });
});

test('parse(print(x)) is x itself (AST modulo spans)', () => {
  fc.assert(fc.property(exact, (n) => {
    assertSameAst(parseExpression(print(n)), n);
  }), { numRuns: 600 });
});

test('whitespace and comments between tokens do not change the AST', () => {
  fc.assert(fc.property(exact, fc.infiniteStream(trivia), (n, seps) => {
    const it = seps[Symbol.iterator]();
    const noisy = printWith(n, { separator: () => it.next().value as string });
    assertSameAst(parseExpression(noisy), n, noisy);
  }), { numRuns: 400 });
});

test('JSON form round-trips through text and back', () => {
  fc.assert(fc.property(exact, (n) => {
    const json = JSON.parse(JSON.stringify(toJson(n)));
    const back = fromJson(json);
    assertSameAst(back, n);
    assert.equal(print(back), print(n));
  }), { numRuns: 400 });
});

test('printing is idempotent on canonical text of the fixtures of DESIGN.md', () => {
  for (const t of ['f?a=b .out', 'f?u=http://x/y /bin', 'compose f?u=http://a ; g', 'f(x: (y))']) {
    assert.equal(print(parseExpression(t)), t);
  }
});
