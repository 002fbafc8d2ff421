/**
 * The cc and gcc namespaces against a real toolchain (issue 17): Debian's
 * gcc as a `deb:closure` root, modules compiled in the sandbox at fixed
 * paths, header discovery as a reduction that is never stale, and early
 * cutoff through archive and link. One store for the file: the toolchain
 * is downloaded once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('cc');
const store = join(dir, 'store');
/** The toolchain by content, once realized (a closure is contextual; its exact tree is not). */
let toolchain = '';

function tools(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && toolchain !== '';
}

interface Run {
  readonly code: number | null;
  readonly err: string;
  readonly name: string;
  readonly path: string;
  /** Labels of the nodes that ran (a `realizing` event), reused ones left out. */
  readonly ran: readonly string[];
  /** What each node reduced to (`reduced` events), and the names resolved on the way (`resolving`). */
  readonly reduced: readonly string[];
  readonly resolving: readonly string[];
  /** The gcc commands the nodes ran in the sandbox (their `$ gcc …` log lines), in order. */
  readonly gcc: readonly string[];
  /** Each node's log lines other than commands, by label. */
  readonly logs: readonly string[];
}

function realize(name: string, cwd = dir, env: Record<string, string> = {}): Run {
  const r = nomia(store, ['realize', '--log-format', 'json', name], { cwd, env });
  const [refined = '', path = ''] = r.out.trim().split('\n');
  const ran: string[] = [];
  const reduced: string[] = [];
  const resolving: string[] = [];
  const gcc: string[] = [];
  const logs: string[] = [];
  for (const line of r.err.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { kind: string; label?: string; to?: string; name?: string; line?: string };
    if (e.kind === 'realizing' && e.label) ran.push(e.label);
    if (e.kind === 'reduced' && e.to) reduced.push(e.to);
    if (e.kind === 'resolving' && e.name) resolving.push(e.name);
    if (e.kind === 'log' && e.line?.startsWith('$ gcc ')) gcc.push(e.line);
    else if (e.kind === 'log' && e.line) logs.push(`${e.label}: ${e.line}`);
  }
  return { code: r.code, err: r.err, name: refined, path, ran, reduced, resolving, gcc, logs };
}

const count = (r: Run, prefix: string) => r.ran.filter((l) => l.startsWith(prefix)).length;

/** How many compiles ran (gcc with `-c`, whichever node ran it: `cc:compile` in one run, or `cc:compile-exact`). */
const compiles = (r: Run) => r.gcc.filter((c) => c.includes(' -c ')).length;

/** The gcc runs on a source (compiles and discoveries; links name no `/src/`). */
const onSources = (r: Run) => r.gcc.filter((c) => c.includes(' /src/'));

/** The exact name a compile reduced to. */
const exactOf = (r: Run) => r.reduced.find((n) => n.startsWith('cc:compile-exact?'))!;

/** A checkout: `src/f.c` returns A (+ B when -DB is given) from `a.h`, `src/main.c` prints it. */
function checkout(at: string): string {
  mkdirSync(join(at, 'src'), { recursive: true });
  mkdirSync(join(at, 'inc'), { recursive: true });
  mkdirSync(join(at, 'first'), { recursive: true });
  writeFileSync(join(at, 'src/f.c'), '#include "a.h"\n#ifndef B\n#define B 0\n#endif\nint f(void) { return A + B; }\n');
  writeFileSync(join(at, 'src/main.c'), '#include <stdio.h>\nint f(void);\nint main(void) { printf("%d\\n", f()); return 0; }\n');
  writeFileSync(join(at, 'inc/a.h'), '#define A 3\n');
  writeFileSync(join(at, 'inc/unused.h'), '#define UNUSED 1\n');
  writeFileSync(join(at, 'first/.keep'), '');
  return at;
}

function compileName(args = '-O2', src = './src/f.c'): string {
  return `cc:compile?args=[${args}](src: filesystem:import?path="${src}", include0: filesystem:import?path="./first", include1: filesystem:import?path="./inc", toolchain: ${toolchain})`;
}

function programName(args = '-O2'): string {
  const main = `cc:compile?args=[-O2](src: filesystem:import?path="./src/main.c", toolchain: ${toolchain})`;
  return `cc:link?name=prog(${main}, cc:archive?name=libf.a(${compileName(args)}, toolchain: ${toolchain}), toolchain: ${toolchain})`;
}

/** Build the program in `at` and run it: what it prints. */
function run(at: string, args = '-O2'): { out: string; build: Run } {
  const build = realize(programName(args), at);
  assert.equal(build.code, 0, build.err);
  return { out: execFileSync(build.path, { encoding: 'utf8' }).trim(), build };
}

describe('cc namespace', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap')) return;
    const r = realize('deb:closure?packages=[gcc, libc6-dev]');
    assert.equal(r.code, 0, r.err);
    toolchain = r.name;
  });

  test('a module compiled from two checkouts at different directories is one name and one result, with no checkout path in it', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'one', 'checkout-a'));
    const b = checkout(join(dir, 'two', 'elsewhere', 'checkout-b'));
    const first = realize(compileName(), a);
    assert.equal(first.code, 0, first.err);
    assert.equal(compiles(first), 1);
    assert.equal(first.gcc.length, 1, `one sandboxed gcc run per compile: ${first.gcc.join('\n')}`);
    assert.equal(count(first, 'cc:compile-exact'), 0, 'the exact name was recorded, not run');
    assert.match(first.name, /^filesystem:by-content\?name=f\.o&sha256=/);
    const second = realize(compileName(), b);
    assert.equal(second.code, 0, second.err);
    assert.equal(second.name, first.name);
    assert.equal(count(second, 'cc:'), 0, `nothing of cc ran: ${second.ran.join(', ')}`);
    const bytes = readFileSync(first.path).toString('latin1');
    assert.ok(!bytes.includes(dir), 'the object names no path of the checkout');
    // The refined name takes the header by content at its fixed place, not the trees.
    assert.match(first.reduced.join('\n'), /cc:compile-exact\?args=\[-O2\]&includes=2&headers=\["1\/a\.h"\]\(src: \(filesystem:by-content\?name=f\.c&sha256=[0-9a-f]+\), toolchain: .*h0: \(filesystem:by-content\?name=a\.h&sha256=/);
  });

  test('one run per compile: the object of the whole-tree compile is the exact compile\'s, byte for byte (--check of the exact name runs gcc again)', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'one-run'));
    const first = realize(compileName('-O2, -g'), a);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(first.gcc.map((c) => c.includes(' -MD ') && c.includes(' -c ')), [true], first.gcc.join('\n'));
    assert.match(first.logs.join('\n'), /compiled in one run with the whole include trees; 1 header, recorded as the result of its exact name/);
    const exact = exactOf(first);
    const check = nomia(store, ['realize', '--check', '--log-format', 'json', exact], { cwd: a });
    assert.equal(check.code, 0, check.err);
    assert.match(check.err, /"kind":"realizing","node":0,"label":"cc:compile-exact/, 'the exact compile ran');
    assert.equal(check.out.trim().split('\n')[0], first.name, 'and gave the same object');
    const plain = realize(exact, a);
    assert.equal(plain.path, first.path);
    assert.equal(plain.gcc.length, 0, 'the exact name is recorded: nothing runs');
  });

  test('a header the module does not include changes: discovery reruns, no compile, the same object', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'unused'));
    const before = realize(compileName(), a);
    assert.equal(before.code, 0, before.err);
    writeFileSync(join(a, 'inc/unused.h'), '#define UNUSED 2\n');
    const after = realize(compileName(), a);
    assert.equal(after.code, 0, after.err);
    assert.equal(count(after, 'cc:compile?'), 1, 'discovery ran');
    assert.equal(compiles(after), 0, `no compile: ${after.gcc.join('\n')}`);
    assert.equal(after.gcc.length, 1, 'one preprocessor pass');
    assert.equal(after.name, before.name);
  });

  test('a new header shadowing an old one on the include path is used; removing it again goes back', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'shadow'));
    assert.equal(run(a).out, '3');
    writeFileSync(join(a, 'first/a.h'), '#define A 5\n');
    assert.equal(run(a).out, '5');
    rmSync(join(a, 'first/a.h'));
    const back = run(a);
    assert.equal(back.out, '3');
    assert.equal(compiles(back.build), 0, `the earlier exact compile is reused: ${back.build.gcc.join('\n')}`);
  });

  test('a header added next to the source (the source\'s own tree first on the include path) is used', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'beside'));
    const name = (args: string) => `cc:compile?args=[${args}](src: filesystem:import?path="./src/f.c", include0: filesystem:import?path="./src", include1: filesystem:import?path="./inc", toolchain: ${toolchain})`;
    const before = realize(name('-O2'), a);
    assert.equal(before.code, 0, before.err);
    writeFileSync(join(a, 'src/a.h'), '#define A 9\n');
    const after = realize(name('-O2'), a);
    assert.equal(after.code, 0, after.err);
    assert.notEqual(after.name, before.name);
    assert.equal(compiles(after), 1);
    assert.match(after.reduced.join('\n'), /headers=\["0\/a\.h"\]/);
  });

  test('a removed header fails the compile rather than reusing the old object', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'removed'));
    assert.equal(realize(compileName(), a).code, 0);
    rmSync(join(a, 'inc/a.h'));
    const r = realize(compileName(), a);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /a\.h: No such file or directory/);
  });

  test('a changed -D gives another object', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'define'));
    assert.equal(run(a, '-O2, "-DB=1"').out, '4');
    assert.equal(run(a, '-O2, "-DB=2"').out, '5');
  });

  test('a comment appended to a .c file reruns one compile, and no archive and no link', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'comment'));
    const first = run(a);
    writeFileSync(join(a, 'src/f.c'), `${readFileSync(join(a, 'src/f.c'), 'utf8')}/* a comment */\n`);
    const second = run(a);
    assert.equal(second.out, '3');
    assert.equal(compiles(second.build), 1, second.build.gcc.join('\n'));
    assert.equal(count(second.build, 'cc:archive'), 0, 'no archive');
    assert.equal(count(second.build, 'cc:link'), 0, 'no link');
    assert.equal(second.build.name, first.build.name);
    // A real change reaches the link (a value no other test compiles: an object that returns 4 is the
    // -DB=1 test's, byte for byte, and its archive would rightly be reused).
    writeFileSync(join(a, 'src/f.c'), readFileSync(join(a, 'src/f.c'), 'utf8').replace('A + B', 'A + B + 40'));
    const third = run(a);
    assert.equal(third.out, '43');
    assert.equal(count(third.build, 'cc:archive'), 1);
    assert.equal(count(third.build, 'cc:link'), 1);
  });

  test('the seed\'s spelling gcc:compile(filesystem:by-content?sha256=…) compiles with the host\'s compiler, made exact (deb:host)', (t) => {
    if (!tools(t) || !requireTool(t, 'dpkg', 'dpkg')) return;
    const a = checkout(join(dir, 'seed'));
    const added = nomia(store, ['add', join(a, 'src/main.c')]);
    assert.equal(added.code, 0, added.err);
    const sha = /sha256=([0-9a-f]{64})/.exec(added.out)![1]!;
    const r = realize(`gcc:compile(filesystem:by-content?sha256=${sha})`, a);
    assert.equal(r.code, 0, r.err);
    assert.match(r.name, /^filesystem:by-content\?name=main\.o&sha256=/);
    assert.match(execFileSync('nm', [r.path], { encoding: 'utf8' }), / T main\n/);
    assert.match(r.resolving.join('\n'), /^cc:compile\(src: \(filesystem:by-content\?name=main\.c&sha256=[0-9a-f]+\), toolchain: deb:host\?paths=\[\/usr\/bin\/gcc\]&packages=\[libc6-dev\]\)$/m);
    // Compiled by the host's own gcc: the object's .comment says which (e.g. "GCC: (Debian 12.2.0-14+deb12u1) 12.2.0").
    const hostGcc = /\(.*\) \S+$/m.exec(execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!)![0];
    assert.ok(readFileSync(r.path).includes(`GCC: ${hostGcc}`), hostGcc);
    // Another toolchain by the environment.
    const chosen = realize(`gcc:compile(filesystem:by-content?sha256=${sha})`, a, { NOMIA_TOOLCHAIN: toolchain });
    assert.equal(chosen.code, 0, chosen.err);
  });

  test('include directories are include trees: -I of a relative or sandbox path in args is refused, one of the toolchain\'s is taken, and a toolchain without gcc is named', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'usage'));
    for (const flag of ['-Iinc', '-I/include/0', '-isystem/src', '-I/usr/../src']) {
      const r = realize(`cc:compile?args=["${flag}"](src: filesystem:import?path="./src/f.c", toolchain: ${toolchain})`, a);
      assert.notEqual(r.code, 0, flag);
      assert.match(r.err, /cannot take it in `args`/, flag);
    }
    // An absolute directory of the toolchain (which is / in the sandbox), as the ninja front-end passes googletest's.
    const own = realize(`cc:compile?args=["-isystem/usr/include"](src: filesystem:import?path="./src/main.c", toolchain: ${toolchain})`, a);
    assert.equal(own.code, 0, own.err);
    const none = realize('cc:compile(src: filesystem:import?path="./src/f.c", toolchain: filesystem:import?path="./inc")', a);
    assert.notEqual(none.code, 0);
    assert.match(none.err, /has no such file/);
  });

  test('a shared library is a link with -shared of objects compiled with -fPIC, and a program links against it', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'shared'));
    const so = `cc:link?args=[-shared, "-Wl,-soname,libf.so"]&name=libf.so(${compileName('-O2, -fPIC')}, toolchain: ${toolchain})`;
    const lib = realize(so, a);
    assert.equal(lib.code, 0, lib.err);
    assert.match(execFileSync('readelf', ['-h', lib.path], { encoding: 'utf8' }), /Type:\s+DYN/);
    const main = `cc:compile?args=[-O2](src: filesystem:import?path="./src/main.c", toolchain: ${toolchain})`;
    const prog = realize(`cc:link?name=prog(${main}, ${so}, toolchain: ${toolchain})`, a);
    assert.equal(prog.code, 0, prog.err);
    const libDir = join(dir, 'shared-lib');
    mkdirSync(libDir, { recursive: true });
    cpSync(lib.path, join(libDir, 'libf.so'));
    assert.equal(execFileSync(prog.path, { encoding: 'utf8', env: { LD_LIBRARY_PATH: libDir } }).trim(), '3');
  });

  test('a link places its inputs where args name them ({N}), a version script inside a flag; a wrong {N} is refused', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'placed'));
    writeFileSync(join(a, 'src/g.c'), 'int g(void) { return 1; }\nint f(void) { return g() + 1; }\n');
    writeFileSync(join(a, 'src/f.map'), '{ global: f; local: *; };\n');
    const obj = `cc:compile?args=[-O2, -fPIC](src: filesystem:import?path="./src/g.c", toolchain: ${toolchain})`;
    const so = (args: string) => `cc:link?args=[${args}]&name=libf.so(${obj}, filesystem:import?path="./src/f.map", toolchain: ${toolchain})`;
    const lib = realize(so('-shared, "-Wl,-soname,libf.so", "{0}", "-Wl,--version-script,{1}"'), a);
    assert.equal(lib.code, 0, lib.err);
    const dynamic = execFileSync('nm', ['-D', '--defined-only', lib.path], { encoding: 'utf8' });
    assert.match(dynamic, / T f$/m);
    assert.doesNotMatch(dynamic, / T g$/m, 'the version script was applied');
    const wrong = realize(so('-shared, "{0}", "-Wl,--version-script,{2}"'), a);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /names the input \{2\}/);
    const unused = realize(so('-shared, "{0}"'), a);
    assert.notEqual(unused.code, 0);
    assert.match(unused.err, /not input 1/);
  });

  test('a copy of a checkout with its times kept builds nothing', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'orig'));
    run(a);
    const copy = join(dir, 'copies', 'orig-copy');
    mkdirSync(join(dir, 'copies'), { recursive: true });
    cpSync(a, copy, { recursive: true, preserveTimestamps: true });
    const again = run(copy);
    assert.equal(again.out, '3');
    assert.equal(count(again.build, 'cc:'), 0, again.build.ran.join(', '));
  });
});

describe('cc on a real project: zlib from its Debian source', () => {
  const ZSRC = 'deb:source?package=zlib';
  const LIB = ['adler32', 'compress', 'crc32', 'deflate', 'gzclose', 'gzlib', 'gzread', 'gzwrite', 'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil'];
  /** The flags zlib's own Makefile compiles the static library with on Linux. */
  const FLAGS = ['-O3', '-D_LARGEFILE64_SOURCE=1', '-DHAVE_HIDDEN'];
  const compile = (file: string) => `cc:compile?args=[${FLAGS.map((f) => JSON.stringify(f)).join(', ')}](src: ${ZSRC}/${file}, include: ${ZSRC}, toolchain: ${toolchain})`;

  test('its 15 library modules compile, archive into libz.a, link with test/example.c, and the test program passes; the objects are the host gcc\'s with the same flags', (t) => {
    if (!tools(t) || !requireTool(t, 'gcc', 'gcc')) return;
    const lib = `cc:archive?name=libz.a(${LIB.map((m) => compile(`${m}.c`)).join(', ')}, toolchain: ${toolchain})`;
    const prog = realize(`cc:link?name=example(${compile('test/example.c')}, ${lib}, toolchain: ${toolchain})`);
    assert.equal(prog.code, 0, prog.err);
    assert.equal(compiles(prog), 16, prog.logs.filter((l) => l.includes('again')).join('\n'));
    assert.equal(onSources(prog).length, 16, `one gcc run per compile: ${onSources(prog).join('\n')}`);
    const work = join(dir, 'zlib-run');
    mkdirSync(work, { recursive: true });
    assert.match(execFileSync(prog.path, { cwd: work, encoding: 'utf8' }), /uncompress\(\): hello, hello!/);
    // The same module compiled by the host's gcc in a copy of the tree, as zlib's Makefile does.
    const tree = realize(ZSRC).path;
    const copy = join(dir, 'zlib-copy');
    cpSync(tree, copy, { recursive: true });
    execFileSync('gcc', [...FLAGS, '-c', 'adler32.c', '-o', 'adler32.o'], { cwd: copy });
    const ours = realize(compile('adler32.c'));
    assert.equal(count(ours, 'cc:'), 0);
    assert.ok(readFileSync(ours.path).equals(readFileSync(join(copy, 'adler32.o'))), 'byte-identical to the host gcc\'s object');
    // Realized again: nothing runs.
    const again = realize(`cc:link?name=example(${compile('test/example.c')}, ${lib}, toolchain: ${toolchain})`);
    assert.equal(again.name, prog.name);
    assert.equal(count(again, 'cc:'), 0, again.ran.join(', '));
  });
});
