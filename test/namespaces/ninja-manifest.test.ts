/** The ninja manifest parser on small manifests: every construct CMake and Meson write. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifest, shellEscape } from '../../src/namespaces/ninja/manifest.js';
import { splitCommand } from '../../src/namespaces/ninja/shell-words.js';
import { NomiaError } from '../../src/errors.js';

const none = (p: string): string => {
  throw new Error(`unexpected read of ${p}`);
};
const parse = (text: string, files: Record<string, string> = {}) => parseManifest(text, 'build.ninja', (p) => files[p] ?? none(p));

describe('ninja manifest', () => {
  test('variables expand at definition, $var and ${var}, and rule bindings per edge with $in and $out', () => {
    const m = parse([
      'cflags = -O2',
      'cflags = $cflags -g',
      'rule cc',
      '  command = gcc ${cflags} $extra -c $in -o $out',
      '  depfile = $out.d',
      '  deps = gcc',
      'build a.o: cc a.c',
      '  extra = -DX',
      '',
    ].join('\n'));
    assert.equal(m.edges.length, 1);
    const e = m.edges[0]!;
    assert.equal(e.rule, 'cc');
    assert.deepEqual([e.outputs, e.inputs], [['a.o'], ['a.c']]);
    assert.equal(e.bindings['command'], 'gcc -O2 -g -DX -c a.c -o a.o');
    assert.equal(e.bindings['depfile'], 'a.o.d');
    assert.equal(e.bindings['deps'], 'gcc');
  });

  test('escapes: $  $: $$ and $-newline continuation (the next line\'s indent skipped)', () => {
    const m = parse([
      'rule r',
      '  command = echo $$HOME $',
      '      done',
      'build out$ file$:x: r in$ file',
      '',
    ].join('\n'));
    const e = m.edges[0]!;
    assert.deepEqual(e.outputs, ['out file:x']);
    assert.deepEqual(e.inputs, ['in file']);
    assert.equal(e.bindings['command'], 'echo $HOME done');
  });

  test('implicit outputs, implicit and order-only inputs, validations', () => {
    const m = parse('rule r\n  command = x\nbuild a | a.imp: r b c | d || e f |@ v\n');
    const e = m.edges[0]!;
    assert.deepEqual([e.outputs, e.implicitOutputs, e.inputs, e.implicitInputs, e.orderOnly], [['a'], ['a.imp'], ['b', 'c'], ['d'], ['e', 'f']]);
    assert.equal(e.bindings['command'], 'x');
  });

  test('$in and $out quote paths the shell would split', () => {
    const m = parse('rule r\n  command = cat $in > $out\nbuild o$ 1: r a$ b c\n');
    assert.equal(m.edges[0]!.bindings['command'], "cat 'a b' c > 'o 1'");
    assert.equal(shellEscape("it's"), "'it'\\''s'");
  });

  test('phony, default, pool, and a build variable used in the paths', () => {
    const m = parse([
      'pool link',
      '  depth = 1',
      'rule r',
      '  command = touch $out',
      '  pool = link',
      'build $dir/x: r',
      '  dir = sub',
      'build all: phony sub/x',
      'default all',
      '',
    ].join('\n'));
    assert.deepEqual(m.edges.map((e) => e.outputs[0]), ['sub/x', 'all']);
    assert.equal(m.edges[1]!.rule, 'phony');
    assert.deepEqual(m.defaults, ['all']);
    assert.equal(m.pools['link'], 1);
    assert.equal(m.edges[0]!.bindings['pool'], 'link');
  });

  test('include shares the scope, subninja gets a child scope; restat and generator are kept', () => {
    const m = parse('v = top\ninclude rules.ninja\nsubninja sub.ninja\nbuild b: r\n', {
      'rules.ninja': '# rules\nrule r\n  command = echo $v\n  restat = 1\n  generator = 1\nv = included\n',
      'sub.ninja': 'v = sub\nbuild a: r\n',
    });
    assert.deepEqual(m.edges.map((e) => [e.outputs[0], e.bindings['command']]), [['a', 'echo sub'], ['b', 'echo included']]);
    assert.equal(m.edges[1]!.bindings['restat'], '1');
    assert.equal(m.edges[1]!.bindings['generator'], '1');
  });

  test('comments and blank lines anywhere, CRLF line ends', () => {
    const m = parse('# c\r\n\r\nrule r\r\n  # inside\r\n  command = x\r\n\r\nbuild a: r\r\n');
    assert.equal(m.edges[0]!.bindings['command'], 'x');
  });

  test('errors name the file and line: an unknown rule, a rule without command, a bad escape', () => {
    for (const [text, re] of [['build a: nope\n', /build\.ninja:1: unknown rule 'nope'/], ['rule r\n  depfile = x\n', /has no command/], ['x = $!\n', /bad \$-escape/], ['\n\nbuild : r\n', /build\.ninja:3/]] as const) {
      assert.throws(() => parse(text), (e: unknown) => e instanceof NomiaError && e.code === 'ninja/syntax' && re.test(e.message), text);
    }
  });
});

describe('shell words of a command', () => {
  test('&&-joined simple commands with quotes are split; anything more of the shell is not', () => {
    assert.deepEqual(splitCommand(': && /usr/bin/ar qc libx.a "a b.o" c.o && ranlib libx.a'), [[':'], ['/usr/bin/ar', 'qc', 'libx.a', 'a b.o', 'c.o'], ['ranlib', 'libx.a']]);
    assert.deepEqual(splitCommand("cc '-DX=\"1\"' -c a\\ b.c"), [['cc', '-DX="1"', '-c', 'a b.c']]);
    for (const s of ['a | b', 'a; b', 'a > x', 'echo $HOME', 'echo `x`', 'a &&', 'ls *.c']) assert.equal(splitCommand(s), undefined, s);
  });
});
