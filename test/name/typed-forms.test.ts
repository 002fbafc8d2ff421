/**
 * Names as users type them (issue 15, DESIGN.md §2 revised 2026-11-27): paths
 * in values without quotes, `+` in name ids, `//` anywhere in a projection,
 * duplicate formal inputs refused at parse time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NomiaSyntaxError } from '../../src/errors.js';
import type { Name, OutputRef, ParamValue } from '../../src/name/ast.js';
import { formatExpression } from '../../src/name/format.js';
import { fromJson, toJson } from '../../src/name/json.js';
import { parseExpression, parseName, tryParseName } from '../../src/name/parse.js';
import { print } from '../../src/name/print.js';
import { flatten } from '../../src/graph/flatten.js';
import { spell } from '../../src/graph/spell.js';
import { assertSameAst } from '../support/ast.js';

function body(n: Name): OutputRef {
  assert.equal(n.kind, 'Tree');
  return (n as { body: OutputRef }).body;
}

/** The parameters of the top-level atomic name, as plain data. */
function paramsOf(text: string): Record<string, unknown> {
  const ref = body(parseName(text)).name.ref;
  assert.equal(ref.kind, 'AtomicName');
  const plain = (v: ParamValue): unknown => (v.kind === 'String' ? v.value : v.kind === 'List' ? v.items.map(plain) : `$${v.input.name}`);
  return Object.fromEntries((ref.kind === 'AtomicName' ? ref.id.params ?? [] : []).map((p) => [p.key.name, plain(p.value)]));
}

function syntaxError(text: string, code: string, column: number, mentions: RegExp): NomiaSyntaxError {
  const r = tryParseName(text);
  assert.equal(r.ok, false, `${text} should not parse`);
  const e = (r as { error: NomiaSyntaxError }).error;
  assert.equal(e.code, code, e.message);
  assert.equal(e.column, column, `column of: ${e.message}`);
  assert.match(e.message, mentions);
  return e;
}

describe('path values', () => {
  test('a value starting with `/`, `./`, `../` or `~/` is a path up to `&`, `,`, `(`, `)`, `]`, whitespace or end', () => {
    assert.deepEqual(paramsOf('filesystem:import?path=./src'), { path: './src' });
    assert.deepEqual(paramsOf('git:exact-fetch?repo=/srv/git/x&rev=abc'), { repo: '/srv/git/x', rev: 'abc' });
    assert.deepEqual(paramsOf('f?a=../up/x.tar.gz&b=~/notes/ab=*?c'), { a: '../up/x.tar.gz', b: '~/notes/ab=*?c' });
    assert.deepEqual(paramsOf('exec:run?args=[/bin/sh, -c, "echo hi > $out"]'), { args: ['/bin/sh', '-c', 'echo hi > $out'] });
    assert.deepEqual(paramsOf('f?a=[./x]'), { a: ['./x'] });
    assert.deepEqual(paramsOf('f?a=/'), { a: '/' });
    const withInputs = body(parseName('f?p=./src(x: g:h)'));
    assert.equal(withInputs.name.args?.[0]?.formal?.name, 'x');
  });

  test('`:` ends a path, as it ends every value of a namespace id\'s parameters; a path holding `:` is quoted', () => {
    const ref = body(parseName('pns?root=/srv/p:by-content?x=1')).name.ref;
    assert.equal(ref.kind, 'AtomicName');
    const ns = ref.kind === 'AtomicName' ? ref.namespace : undefined;
    assert.equal(ns?.kind, 'BuiltinNamespace');
    assert.deepEqual(ns?.kind === 'BuiltinNamespace' ? ns.id.params?.map((p) => [p.key.name, p.value.kind === 'String' ? p.value.value : '?']) : [], [['root', '/srv/p']]);
    assert.equal(print(parseName('pns?a=/:x')), 'pns?a=/:x');
    assert.equal(print(parseName('f?p="./a:b"')), 'f?p="./a:b"');
  });

  test('a path value has no projection: `path=./src` is the directory src, not `.` projected to src', () => {
    assert.equal(body(parseName('filesystem:import?path=./src')).projection, undefined);
    assert.equal(body(parseName('filesystem:import?path=/usr/include/zlib.h')).projection, undefined);
  });

  test('otherwise `/` ends the value and starts a projection', () => {
    const r = body(parseName('filesystem:by-content?name=bootstrap-tools&sha256=faede8/bin/bash'));
    assert.deepEqual(r.projection, ['bin', 'bash']);
    assert.deepEqual(body(parseName('f?a=~user/x')).projection, ['x'], '`~user/` is not a path: only `~/` is');
    assert.deepEqual(body(parseName('f?a=.../x')).projection, ['x']);
  });

  test('`.`, `..` and `~` alone are plain values; a space or parentheses before `/` project out of them', () => {
    assert.deepEqual(paramsOf('f?a=.&b=..&c=~'), { a: '.', b: '..', c: '~' });
    assert.deepEqual(body(parseName('f?a=. /x')).projection, ['x']);
    assert.deepEqual(body(parseName('(f?a=..)/x')).projection, ['x']);
  });

  test('to project out of a path-valued name, parenthesize it or put whitespace after the path', () => {
    assert.deepEqual(body(parseName('(filesystem:import?path=./src)/main.c')).projection, ['main.c']);
    const spaced = body(parseName('filesystem:import?path=./src /main.c'));
    assert.deepEqual(spaced.projection, ['main.c']);
    assert.deepEqual(paramsOf('filesystem:import?path=./src /main.c'), { path: './src' });
  });

  test('quoted and unquoted spellings of a path are the same value', () => {
    assertSameAst(parseName('f?p="./src"&q="/bin/sh"'), parseName('f?p=./src&q=/bin/sh'));
  });

  test('`/*` opens a comment, not a path; inside a path it is part of the path', () => {
    assert.deepEqual(paramsOf('f?a=/* c */./x'), { a: './x' });
    assert.deepEqual(paramsOf('f?a=/x/*y'), { a: '/x/*y' });
  });

  test('the parser keeps `~/` as written: expanding it is the namespace\'s business', () => {
    assert.deepEqual(paramsOf('f?a=~/x'), { a: '~/x' });
  });

  test('a `;` ends a path, so declarations read as written; a path holding `;` is quoted', () => {
    const l = parseName('let a = f?p=./input.txt; b = g(in: $a) in h($b)');
    assert.equal(l.kind === 'LetIn' && l.declarations.length, 2);
    assert.equal(print(l), 'let a = f?p=./input.txt; b = g(in: $a) in h($b)');
    assert.equal(print(parseName('f?p="./a;b"')), 'f?p="./a;b"');
  });

  test('a URL still runs over `;`, and the error for `let a = f?u=http://x; b = …` says so', () => {
    const e = syntaxError('let a = f?u=http://x; b = g in h', 'syntax', 23, /expected `;` or `in`/);
    assert.match(e.hint ?? '', /runs over `;`/);
    assert.equal(print(parseName('let a = f?u=http://x ; b = g in h')), 'let a = f?u=http://x ; b = g in h');
    const c = syntaxError('compose a = f?u=http://x; g', 'syntax', 27, /expected end of name/);
    assert.match(c.hint ?? '', /runs over `;`/);
  });

  test('the printer leaves paths unquoted where they scan back, and quotes or spaces them where they would not', () => {
    const cases: [string, string][] = [
      ['f?p="./src"', 'f?p=./src'],
      ['exec:run?args=["/bin/sh", "-c", "x"]', 'exec:run?args=[/bin/sh, -c, x]'],
      ['(f?p=./src)/main.c', '(f?p=./src)/main.c'],
      ['f?p=./src /main.c', 'f?p=./src /main.c'],
      ['f?p=./x .out', 'f?p=./x .out'],
      ['f?a=. /x', 'f?a=. /x'],
      ['f?a=.. /x', 'f?a=.. /x'],
      ['f?a=~ /x', 'f?a=~ /x'],
      ['f?p="/*x"', 'f?p="/*x"'],
      ['f?p="./a b"', 'f?p="./a b"'],
      ['f?p="./a,b"', 'f?p="./a,b"'],
      ['f?p="./a\\u0001b"&u="http://x/\\u0002"', 'f?p="./a\\u0001b"&u="http://x/\\u0002"'],
      ['compose a = f?p=./x ; g', 'compose a = f?p=./x; g'],
      ['compose a = f?u=http://x ; g', 'compose a = f?u=http://x ; g'],
    ];
    for (const [text, canonical] of cases) {
      assert.equal(print(parseName(text)), canonical, text);
      assertSameAst(parseName(canonical), parseName(text), text);
    }
  });
});

describe('identifiers with `+`', () => {
  test('name ids and namespace ids accept `+` after the first letter', () => {
    const ref = body(parseName('c++-project:g++(gtk+, x: g++:y)')).name;
    assert.ok(ref.ref.kind === 'AtomicName' && ref.ref.namespace?.kind === 'BuiltinNamespace');
    assert.equal(ref.ref.namespace.id.id.name, 'c++-project');
    assert.equal(ref.ref.id.id.name, 'g++');
    assert.equal(ref.args?.[1]?.formal?.name, 'x');
    assert.equal(print(parseName('c++-project:g++(gtk+, x: g++:y)')), 'c++-project:g++(gtk+, x: g++:y)');
  });

  test('the JSON form accepts them too', () => {
    const n = parseName('c++:g++');
    assertSameAst(fromJson(JSON.parse(JSON.stringify(toJson(n)))), n);
  });

  test('`+` cannot start an id, and variables, keys and input names stay plain identifiers', () => {
    syntaxError('+x:y', 'syntax', 1, /expected a name/);
    syntaxError('f?a+=1', 'syntax', 4, /expected `=` after parameter `a`/);
    syntaxError('$a+', 'syntax', 3, /expected end of name/);
  });
});

describe('projections', () => {
  test('`//` equals `/` between segments too (issue 12)', () => {
    assertSameAst(parseName('x:y/a//b'), parseName('x:y/a/b'));
    assertSameAst(parseName('(x:y)//a///b'), parseName('(x:y)/a/b'));
    assert.equal(print(parseName('x:y/a//b')), 'x:y/a/b');
  });

  test('a trailing `/` is still an error', () => {
    syntaxError('x:y/a/', 'syntax', 7, /expected a path segment/);
  });
});

describe('duplicate formal inputs', () => {
  test('are a syntax error with a caret at the second one', () => {
    const e = syntaxError('f:g(a: x:y, a: x:z)', 'syntax/duplicate', 13, /input `a` is given twice/);
    assert.match(e.excerpt, /\n {2}\| {13}\^$/);
  });

  test('are refused in the JSON form too', () => {
    const json = toJson(parseName('f:g(a: x:y, b: x:z)'));
    const text = JSON.stringify(json).replace('"formal":"b"', '"formal":"a"');
    assert.throws(() => fromJson(JSON.parse(text)), /input `a` is given twice/);
  });

  test('the same formal in different input lists is fine', () => {
    assert.doesNotThrow(() => parseName('f(a: x:y, b: g(a: x:z))'));
  });
});

describe('streaming formatter', () => {
  test('formatExpression prints what print(parseExpression) prints', () => {
    for (const text of ['x:y', 'compose a = f?u=http://x ; g($a)', 'let a = f?p=./x;b=g(y: $a) in h($b).out/x',
      'a:b => c:d', 'compose a = f ; g => let x = y in z', 'nomia://f?p=/a', '名前:été?ключ="é x"&p=./é/ü&q="😀\\n"(a: $b)',
      `compose ${Array.from({ length: 3000 }, (_, i) => `n${i} = f?u=http://x/${i}&v="é${i}"`).join('; ')}`]) {
      assert.equal(Buffer.concat(formatExpression(text)).toString('utf8'), print(parseExpression(text)), text);
    }
  });

  test('and fails where the parser fails', () => {
    assert.throws(() => formatExpression('compose a = f; b = g('), (e: unknown) => e instanceof NomiaSyntaxError && e.code === 'syntax/unbalanced');
  });
});

describe('spelling', () => {
  test('a path typed unquoted and quoted spells the same; `//` in a projection too', () => {
    const spellingOf = (text: string) => spell(flatten(parseName(text), text)).name;
    assert.equal(spellingOf('exec:run?args=[/bin/sh, -c, x]&p=./src'), spellingOf('exec:run?args=["/bin/sh", "-c", "x"]&p="./src"'));
    assert.equal(spellingOf('(x:y?p=./a)/b//c'), spellingOf('(x:y?p="./a")/b/c'));
    assert.notEqual(spellingOf('x:y?p=./src'), spellingOf('(x:y?p=.)/src'), 'a path is not a projection');
  });
});
