import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { fromJson, toJson } from '../../src/name/json.js';
import { parseExpression } from '../../src/name/parse.js';
import { print } from '../../src/name/print.js';

const golden = new URL('../../../test/fixtures/name-json-v1.json', import.meta.url);

test('golden JSON form, format nomia-name/1 (regenerate with NOMIA_TEST_ACCEPT=1)', () => {
  const names = [
    'package:build-in-sandbox?args=[bash, -c, $script](exe: filesystem:by-content?name=bootstrap-tools&sha256=faede8/bin/bash, script: filesystem:by-content?sha256=b976)',
    'let a = x:y in f(in: $a.out, @r)',
    'compose a = f($b); b = (ns:n.namespace):g?u=http://h/p',
    'acme-server => (client-projects:acme):server',
  ];
  const actual = JSON.stringify(names.map((n) => ({ text: n, json: toJson(parseExpression(n)) })), null, 2) + '\n';
  if (process.env['NOMIA_TEST_ACCEPT'] === '1') writeFileSync(golden, actual);
  assert.equal(actual, readFileSync(golden, 'utf8'));
});

test('positions are included on request', () => {
  const j = toJson(parseExpression('a:b'), { positions: true }) as unknown as { name: { span: number[] } };
  assert.deepEqual(j.name.span, [0, 3]);
});

test('fromJson accepts a bare name object and rejects invalid input with a JSON path', () => {
  const bare = toJson(parseExpression('x:y')).name;
  assert.equal(print(fromJson(bare)), 'x:y');
  const bad: [unknown, RegExp][] = [
    [{ format: 'nomia-name/9', name: bare }, /unsupported format/],
    [{ kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'AtomicName', id: { kind: 'ParameterizedId', id: 'let' } } } } }, /\$\.body\.name\.ref\.id\.id: `let` is a keyword/],
    [{ kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'Variable', id: '9x' } } } }, /expected an identifier/],
    [{ kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'Variable', id: 'x' }, args: [] } } }, /non-empty array/],
    [{ kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'Variable', id: 'x' } }, projection: ['..'] } }, /invalid path segment/],
    [{ kind: 'Compose', declarations: [] }, /non-empty/],
    [[1, 2], /expected an object/],
  ];
  for (const [input, message] of bad) {
    assert.throws(() => fromJson(input), (e: unknown) => e instanceof NomiaError && e.code === 'json/invalid' && message.test(e.message), String(message));
  }
});

test('fromJson refuses nesting deeper than the parser allows', () => {
  let name: unknown = { kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'Variable', id: 'x' } } } };
  for (let i = 0; i < 100_000; i++) name = { kind: 'Tree', body: { kind: 'OutputRef', name: { kind: 'Substitution', ref: { kind: 'Nested', name } } } };
  assert.throws(() => fromJson(name), (e: unknown) => e instanceof NomiaError && /deeper/.test(e.message));
});
