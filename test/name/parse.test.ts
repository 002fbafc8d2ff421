import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NomiaSyntaxError } from '../../src/errors.js';
import { formatExpression } from '../../src/name/format.js';
import { parseExpression, parseName, tryParseName } from '../../src/name/parse.js';
import { maxNameLength } from '../../src/name/limits.js';
import { print } from '../../src/name/print.js';
import type { Name, OutputRef } from '../../src/name/ast.js';
import { assertSameAst } from '../support/ast.js';

function body(n: Name): OutputRef {
  assert.equal(n.kind, 'Tree');
  return (n as { body: OutputRef }).body;
}

function syntaxError(text: string, code: string, line: number, column: number, mentions: RegExp): NomiaSyntaxError {
  const r = tryParseName(text);
  assert.equal(r.ok, false, `${JSON.stringify(text.slice(0, 40))} should not parse`);
  const e = (r as { error: NomiaSyntaxError }).error;
  assert.ok(e instanceof NomiaSyntaxError);
  assert.equal(e.code, code, e.message);
  assert.equal(e.line, line, `line of: ${e.message}`);
  assert.equal(e.column, column, `column of: ${e.message}`);
  assert.match(e.message, mentions);
  assert.match(e.excerpt, /\^/);
  return e;
}

describe('parser: structure', () => {
  test('atomic name with namespace, params and projection', () => {
    const r = body(parseName('filesystem:by-content?name=bootstrap-tools&sha256=faede8/bin/bash'));
    const ref = r.name.ref;
    assert.equal(ref.kind, 'AtomicName');
    if (ref.kind !== 'AtomicName') return;
    assert.equal(ref.namespace?.kind, 'BuiltinNamespace');
    assert.equal(ref.id.id.name, 'by-content');
    assert.deepEqual(ref.id.params?.map((p) => p.key.name), ['name', 'sha256']);
    assert.deepEqual(r.projection, ['bin', 'bash']);
  });

  test('`//` and `/` are the same projection', () => {
    assertSameAst(parseName('(x:y)//src/main.cc'), parseName('(x:y)/src/main.cc'));
  });

  test('ambiguity 1: in an input list, `x:y` is a positional qualified name', () => {
    const s = parseName('gcc:compile(filesystem:by-content?sha256=deac)');
    const arg = body(s).name.args![0]!;
    assert.equal(arg.formal, undefined);
    assert.equal(print(s), 'gcc:compile(filesystem:by-content?sha256=deac)');
  });

  test('ambiguity 1: `x: y:z`, `x: $v`, `x: @r`, `x: (y)` bind the formal x', () => {
    for (const text of ['f(x: y:z)', 'f(x: $v)', 'f(x: @r)', 'f(x: (y))', 'f(x:y?a=1:z)', 'f(x: (a:b):c)']) {
      const arg = body(parseName(text)).name.args![0]!;
      assert.equal(arg.formal?.name, 'x', text);
    }
  });

  test('ambiguity 2: `( … )` followed by `:` is a named namespace, otherwise nested', () => {
    const named = body(parseName('(client-projects:acme):server')).name.ref;
    assert.equal(named.kind, 'AtomicName');
    assert.equal(named.kind === 'AtomicName' && named.namespace?.kind, 'NamedNamespace');
    const namedOut = body(parseName('(foo:bar.namespace):x')).name.ref;
    assert.equal(namedOut.kind === 'AtomicName' && namedOut.namespace?.kind, 'NamedNamespace');
    assert.equal(body(parseName('(foo:bar.namespace)')).name.ref.kind, 'Nested');
  });

  test('whitespace and comments may stand between any two tokens', () => {
    const pairs: [string, string][] = [
      ['$ x', '$x'], ['a : b', 'a:b'], ['f ? p = v & q = "w"', 'f?p=v&q="w"'], ['x . out', 'x.out'],
      ['f /* c */ ( /* d */ a /* e */ )', 'f(a)'], ['let\n a = b\n in\n c', 'let a = b in c'],
      ['x / bin / bash', 'x/bin/bash'],
    ];
    for (const [spaced, tight] of pairs) assertSameAst(parseName(spaced), parseName(tight), spaced);
  });

  test('URL values run over `:` and `/` up to `&`, `,`, `(`, `)` or whitespace', () => {
    const r = body(parseName('git:exact-fetch?repo=https://github.com/NixOS/nixpkgs&rev=785d2c03a0d'));
    const ref = r.name.ref;
    assert.ok(ref.kind === 'AtomicName');
    const repo = ref.id.params![0]!.value;
    assert.deepEqual(repo.kind === 'String' && repo.value, 'https://github.com/NixOS/nixpkgs');
  });

  test('a `:` ends a value in a namespace id', () => {
    const r = body(parseName('private-filesystem?user=root:by-content?sha256=cc10'));
    const ref = r.name.ref;
    assert.ok(ref.kind === 'AtomicName' && ref.namespace?.kind === 'BuiltinNamespace');
    assert.equal(ref.namespace.id.id.name, 'private-filesystem');
    assert.equal(ref.id.id.name, 'by-content');
  });

  test('lists, input references and quoted strings with escapes', () => {
    const r = body(parseName('b?args=[ bash, -c, $script, "a\\"b\\u00e9", [], [x] ]'));
    const ref = r.name.ref;
    assert.ok(ref.kind === 'AtomicName');
    const v = ref.id.params![0]!.value;
    assert.ok(v.kind === 'List');
    assert.deepEqual(v.items.map((i) => i.kind), ['String', 'String', 'InputRef', 'String', 'List', 'List']);
    const q = v.items[3]!;
    assert.equal(q.kind === 'String' && q.value, 'a"bé');
  });

  test('`nomia://` prefix and `=>` replacements', () => {
    assertSameAst(parseName('nomia://(client-projects:acme):server/login'), parseName('(client-projects:acme):server/login'));
    const r = parseExpression('acme-server => (client-projects:acme):server');
    assert.equal(r.kind, 'Replacement');
    assert.throws(() => parseName('a => b'), NomiaSyntaxError);
  });

  test('let and compose with declarations', () => {
    const l = parseName('let a = x:y; b = f($a) in g($b).out');
    assert.equal(l.kind, 'LetIn');
    assert.equal(l.kind === 'LetIn' && l.declarations.length, 2);
    const c = parseName('compose f($a); a = x');
    assert.equal(c.kind === 'Compose' && c.declarations[1]!.binder?.name, 'a');
  });

  test('keywords are reserved as name ids and binders, not as input names or keys', () => {
    assert.doesNotThrow(() => parseName('exec:run?in=1(in: a:b, let: c:d)'));
    assert.doesNotThrow(() => parseName('f.in'));
    syntaxError('compose in = x', 'syntax/reserved', 1, 9, /keyword/);
    syntaxError('let a = b; in = c in d', 'syntax', 1, 12, /expected a declaration in `let`, found `in`/);
    syntaxError('f(in)', 'syntax/reserved', 1, 3, /keyword/);
  });

  test('a path where a name belongs is refused with the import that uses it (was: "`in` is a keyword")', () => {
    syntaxError('exec:run(in: ./input.txt)', 'syntax/path-not-name', 1, 14, /`\.\/input\.txt` is a path, not a name/);
    syntaxError('f:f(x: ../a/b, y: /etc/passwd)', 'syntax/path-not-name', 1, 8, /`\.\.\/a\/b` is a path/);
    syntaxError('f:f(~/src)', 'syntax/path-not-name', 1, 5, /`~\/src` is a path/);
    syntaxError('let a = /srv/x; in f($a)', 'syntax/path-not-name', 1, 9, /`\/srv\/x` is a path/);
    const e = (() => { try { parseName('f(in: ./input.txt)'); } catch (err) { return err as NomiaSyntaxError; } })();
    assert.match(e?.hint ?? '', /filesystem:import\?path=\.\/input\.txt/);
    // A path as a parameter value stays a value, and `/*` stays a comment.
    assert.doesNotThrow(() => parseName('f(in: filesystem:import?path=./input.txt)'));
    assert.doesNotThrow(() => parseName('f(/* c */ in: $x)'));
  });

  test('an unquoted value that stops at a `=` or `:` it was meant to hold hints to quote it (was: no hint)', () => {
    const sri = 'fetch:url?url=http://127.0.0.1:8080/a.tar.gz&sha256=sha256-5YhdU1+7rwoz0FaRHohWrqdgYFZB4OF78yiiWilD5tA=';
    assert.match(syntaxError(sri, 'syntax', 1, sri.length, /expected end of name, found `=`/).hint ?? '', /quote a value that holds `=`.*sha256="sha256-/);
    const prefixed = 'unpack:tar(fetch:url?url=http://x/y&sha256=sha256:31e0)';
    assert.match(syntaxError(prefixed, 'syntax', 1, 51, /expected a name/).hint ?? '', /quote a value that holds `:`/);
    assert.match(syntaxError('f:f?x=[a=b]', 'syntax', 1, 9, /`,` or `]`/).hint ?? '', /quote a value/);
    // Not when something else stands between the value and the error, and the quoted form parses.
    assert.equal(syntaxError('f:f?x=a =b', 'syntax', 1, 9, /expected end of name/).hint, undefined);
    assert.doesNotThrow(() => parseName('fetch:url?url=http://x/y&sha256="sha256-5YhdU1+7rwoz0FaRHohWrqdgYFZB4OF78yiiWilD5tA="'));
  });

  test('spans point into the source', () => {
    const n = parseName('  foo:bar');
    assert.deepEqual(n.span?.start, { offset: 2, line: 1, column: 3 });
    assert.equal(n.span?.end.offset, 9);
  });

  test('unicode identifiers', () => {
    assert.equal(print(parseName('名前:été?ключ=1')), '名前:été?ключ=1');
  });
});

describe('parser: errors name what was expected, with line, column and caret', () => {
  test('unterminated quote', () => {
    const e = syntaxError('f?a="abc', 'syntax/unterminated-string', 1, 5, /unterminated string/);
    assert.match(e.excerpt, /^1 \| f\?a="abc\n {2}\| {5}\^$/);
  });
  test('unterminated quote on a later line', () => {
    syntaxError('f(\n  x: g?v="oops\n)', 'syntax/unterminated-string', 2, 10, /unterminated/);
  });
  test('unbalanced parentheses: missing `)`', () => {
    syntaxError('f(a, g(b)', 'syntax/unbalanced', 1, 10, /`\(` at 1:2/);
    syntaxError('((a)', 'syntax/unbalanced', 1, 5, /`\(` at 1:1/);
  });
  test('unbalanced parentheses: extra `)`', () => {
    syntaxError('f(a))', 'syntax/unbalanced', 1, 5, /no matching `\(`/);
  });
  test('empty parameter list `()`', () => {
    syntaxError('f()', 'syntax', 1, 2, /empty input list/);
  });
  test('`?` with no parameters', () => {
    syntaxError('f?', 'syntax', 1, 3, /expected a parameter `key=value`, found end of input/);
    syntaxError('f?(a)', 'syntax', 1, 3, /expected a parameter/);
    syntaxError('f?a=1&', 'syntax', 1, 7, /expected a parameter/);
  });
  test('a bare `$`', () => {
    syntaxError('$', 'syntax', 1, 2, /expected a variable name after `\$`, found end of input/);
    syntaxError('f($)', 'syntax', 1, 4, /after `\$`, found `\)`/);
  });
  test('100 000 levels of nesting give an error, not a stack overflow', () => {
    for (const text of ['('.repeat(100_000) + 'x' + ')'.repeat(100_000), 'f('.repeat(100_000), 'f?a=' + '['.repeat(100_000)]) {
      const r = tryParseName(text);
      assert.equal(r.ok, false);
      assert.equal((r as { error: NomiaSyntaxError }).error.code, 'syntax/too-deep');
    }
  });
  test('unterminated comment', () => {
    syntaxError('f /* never closed', 'syntax/unterminated-comment', 1, 3, /unterminated comment/);
  });
  test('an unterminated comment is reported where the parser first looks past the token before it', () => {
    // The scanner skips trivia as soon as a token is taken (lexer.ts); an
    // error about that token itself still comes first, and one about what
    // follows is the comment's.
    syntaxError('f:g?a=b /* never', 'syntax/unterminated-comment', 1, 9, /unterminated comment/);
    syntaxError('f(x: /* never', 'syntax/unterminated-comment', 1, 6, /unterminated comment/);
    syntaxError('f(x: y?a=b /* never', 'syntax/unterminated-comment', 1, 12, /unterminated comment/);
    syntaxError('x/ /* never', 'syntax/unterminated-comment', 1, 4, /unterminated comment/);
    syntaxError('x//* never', 'syntax/unterminated-comment', 1, 3, /unterminated comment/);
    syntaxError('$let /* never', 'syntax/reserved', 1, 2, /`let` is a keyword/);
    syntaxError('f?a=1&a=2 /* never', 'syntax/duplicate', 1, 7, /`a` is given twice/);
    syntaxError('f(x: $a, x: $b /* never', 'syntax/duplicate', 1, 10, /`x` is given twice/);
    // Too deep is found when the 257th `(` or `[` is taken: it points right after it, before the comment.
    syntaxError(`f${'(f'.repeat(257)}  /* never`, 'syntax/too-deep', 1, 1 + 2 * 257, /deeper than 256/);
    syntaxError(`f?a=${'['.repeat(257)}  /* never`, 'syntax/too-deep', 1, 5 + 257, /deeper than 256/);
    syntaxError(`f${'(f'.repeat(256)}  /* never`, 'syntax/unterminated-comment', 1, 4 + 2 * 256, /unterminated comment/);
  });
  test('duplicate parameter', () => {
    syntaxError('f?a=1&b=2&a=3', 'syntax/duplicate', 1, 11, /`a` is given twice/);
  });
  test('invalid escape and projection segments', () => {
    syntaxError('f?a="\\q"', 'syntax', 1, 6, /invalid escape/);
    syntaxError('x/../etc', 'syntax', 1, 3, /invalid projection segment/);
    syntaxError('x/', 'syntax', 1, 3, /expected a path segment/);
  });
  test('garbage after a name, and a trailing `;`', () => {
    syntaxError('a:b c', 'syntax', 1, 5, /expected end of name, found `c`/);
    syntaxError('compose a; b;', 'syntax', 1, 14, /expected a declaration/);
    syntaxError('let a = b', 'syntax', 1, 10, /expected `;` or `in`/);
  });
  test('a named namespace cannot be a let', () => {
    syntaxError('(let a = b in c):x', 'syntax', 1, 1, /named namespace/);
  });
  test('a name longer than this process accepts is syntax/too-large before any work, not an out-of-memory crash', () => {
    const text = `f?a=${'x'.repeat(maxNameLength())}`;
    for (const go of [() => parseName(text), () => parseExpression(text), () => formatExpression(text)]) {
      assert.throws(go, (e: unknown) => e instanceof NomiaSyntaxError && e.code === 'syntax/too-large' && /max-old-space-size/.test(e.hint ?? ''));
    }
  });
  test('parseName throws NomiaSyntaxError with the excerpt', () => {
    assert.throws(() => parseName('f('), (e: unknown) => e instanceof NomiaSyntaxError && e.excerpt.includes('f('));
  });
});
