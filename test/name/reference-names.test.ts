import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseExpression } from '../../src/name/parse.js';
import { print } from '../../src/name/print.js';
import { fromJson, toJson } from '../../src/name/json.js';
import { assertSameAst } from '../support/ast.js';

const fixture = new URL('../../../test/fixtures/reference-names.tsv', import.meta.url);
const rows = readFileSync(fixture, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));

test('the fixture holds every example of the reference texts', () => {
  assert.ok(rows.length >= 30, `only ${rows.length} rows`);
  const sources = new Set(rows.map((r) => r[0]));
  for (const s of ['announcement.txt', 'deep-dive.org', 'DESIGN.md']) assert.ok(sources.has(s), s);
});

for (const [source, inputJson, canonical] of rows) {
  const input = JSON.parse(inputJson!) as string;
  test(`${source}: ${canonical}`, () => {
    const ast = parseExpression(input);
    assert.equal(print(ast), canonical);
    const again = parseExpression(canonical!);
    assertSameAst(again, ast);
    assert.equal(print(again), canonical);
    assertSameAst(fromJson(JSON.parse(JSON.stringify(toJson(ast)))), ast);
  });
}
