/**
 * Linking against a shared library's interface through the real CLI
 * (src/namespaces/cc/shared-interfaces.ts): a program linked against a
 * library is not linked again when the library changed where no dependent
 * can see, and is whenever it changed where one can; an archive's members
 * are linked in, so an archive is never replaced by an interface. Debian's
 * gcc as a `deb:closure` root, as in cc.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('cc-link-interface');
const store = join(dir, 'store');
let toolchain = '';

function tools(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && toolchain !== '';
}

/** A realize: its result's name and path, and its events. */
function realize(name: string, cwd: string, flags: string[] = []) {
  const r = nomia(store, ['realize', '--log-format', 'json', ...flags, name], { cwd });
  const [refined = '', path = ''] = r.out.trim().split('\n');
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; to?: string; line?: string });
  return {
    ...r, name: refined, path,
    /** The outputs of the sandboxed links that ran (`$ gcc -o /out/prog …` → `prog`). */
    linked: events.flatMap((e) => (e.kind === 'log' && e.line?.startsWith('$ gcc -o /out/') ? [e.line.split(' ')[3]!.slice('/out/'.length)] : [])),
    reduced: events.flatMap((e) => (e.kind === 'reduced' && e.to ? [e.to] : [])),
  };
}

const LIB = 'int table[4] = {1, 2, 3, 4};\nstatic int g(void) { return 1; }\nint f(void) { return g() + table[0]; }\n';
const MAP = '{ global: f; table; local: *; };\n';

/** A checkout with the library `t.c` (exported as `map` says) and a program `main.c` that uses its function and data. */
function checkout(at: string): string {
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 't.c'), LIB);
  writeFileSync(join(at, 't.map'), MAP);
  writeFileSync(join(at, 'main.c'), '#include <stdio.h>\nextern int table[];\nint f(void);\nint main(void) { printf("%d\\n", f() + table[1]); return 0; }\n');
  return at;
}

const compile = (src: string, args = '-O2') => `cc:compile?args=[${args}](src: filesystem:import?path="./${src}", toolchain: ${toolchain})`;
const library = (soname = 'libt.so.1') => `cc:link?args=[-shared, "-Wl,-soname,${soname}", "{0}", "-Wl,--version-script,{1}"]&name=libt.so(${compile('t.c', '-O2, -fPIC')}, filesystem:import?path="./t.map", toolchain: ${toolchain})`;
const program = (lib: string) => `cc:link?name=prog(${compile('main.c')}, ${lib}, toolchain: ${toolchain})`;
const archive = () => `cc:archive?name=libt.a(${compile('t.c')}, toolchain: ${toolchain})`;

describe('cc:link against a shared library\'s interface', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap')) return;
    const r = realize('deb:closure?packages=[gcc, libc6-dev]', dir);
    assert.equal(r.code, 0, r.err);
    toolchain = r.name;
  });

  test('a change to a library that no dependent can see links the library and nothing against it; --check of the refined link gives the same bytes', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'body'));
    const first = realize(program(library()), a);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(first.linked, ['libt.so', 'prog']);
    const refined = first.reduced.find((n) => n.startsWith('cc:link-interface?'));
    assert.ok(refined, `the link reduced to its refined name: ${first.reduced.join('\n')}`);
    assert.match(refined, /&shared=\[1\]\(\(filesystem:by-content\?name=main\.o&sha256=[0-9a-f]+\), \(filesystem:by-content\?name=libt\.so\.interface&sha256=[0-9a-f]+\), toolchain: /);
    writeFileSync(join(a, 't.c'), `${LIB.replace('g() + table[0]', 'g() * 7 + table[0]')}int json_c_bench_1(void) { return 1; }\n`);
    const second = realize(program(library()), a);
    assert.equal(second.code, 0, second.err);
    assert.deepEqual(second.linked, ['libt.so'], 'the library was linked again, the program was not');
    assert.equal(second.name, first.name);
    assert.ok(second.reduced.includes(refined), 'the same refined name');
    const lib = realize(library(), a);
    assert.equal(execFileSync(second.path, { encoding: 'utf8', env: { LD_LIBRARY_PATH: libDir(lib.path) } }).trim(), '10', 'the program runs against the new library: (1 * 7 + 1) + 2');
    const check = realize(refined, a, ['--check']);
    assert.equal(check.code, 0, check.err);
    assert.deepEqual(check.linked, ['prog'], 'the check linked the program again');
    assert.equal(check.name, first.name);
  });

  test('an exported symbol, a data object\'s size and the SONAME each link the program again', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'visible'));
    const base = realize(program(library()), a);
    assert.equal(base.code, 0, base.err);
    writeFileSync(join(a, 't.c'), `${LIB}int h(void) { return 2; }\n`);
    writeFileSync(join(a, 't.map'), '{ global: f; h; table; local: *; };\n');
    const exported = realize(program(library()), a);
    assert.deepEqual(exported.linked, ['libt.so', 'prog'], 'a new exported function');
    writeFileSync(join(a, 't.map'), MAP);
    writeFileSync(join(a, 't.c'), LIB.replace('table[4] = {1, 2, 3, 4}', 'table[5] = {1, 2, 3, 4, 5}'));
    const size = realize(program(library()), a);
    assert.deepEqual(size.linked, ['libt.so', 'prog'], 'a data object\'s size');
    assert.notEqual(size.name, base.name, 'the copy relocation copies the new size');
    writeFileSync(join(a, 't.c'), LIB);
    const soname = realize(program(library('libt.so.2')), a);
    assert.deepEqual(soname.linked, ['libt.so', 'prog'], 'the SONAME');
    assert.match(execFileSync('readelf', ['-d', soname.path], { encoding: 'utf8' }), /NEEDED.*\[libt\.so\.2\]/);
  });

  test('an archive is linked in, never replaced by an interface: a body change links the program again', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'archive'));
    const first = realize(program(archive()), a);
    assert.equal(first.code, 0, first.err);
    assert.equal(first.reduced.filter((n) => n.startsWith('cc:link-interface')).length, 0);
    writeFileSync(join(a, 't.c'), LIB.replace('g() + table[0]', 'g() * 7 + table[0]'));
    const second = realize(program(archive()), a);
    assert.deepEqual(second.linked, ['prog']);
    assert.notEqual(second.name, first.name);
    assert.equal(execFileSync(second.path, { encoding: 'utf8' }).trim(), '10', 'the new body, linked in: (1 * 7 + 1) + 2');
  });

  test('the refined link realized by itself with no library of that interface in the store is an error that says what to realize', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'no-library'));
    writeFileSync(join(a, 'main.c'), readFileSync(join(a, 'main.c'), 'utf8').replace('"%d\\n"', '"%d (a program no other test links)\\n"'));
    const first = realize(program(library()), a);
    assert.equal(first.code, 0, first.err);
    rmSync(join(store, 'cache', 'cc', 'interfaces'), { recursive: true, force: true });
    const check = realize(first.reduced.find((n) => n.startsWith('cc:link-interface?'))!, a, ['--check']);
    assert.notEqual(check.code, 0);
    assert.match(check.err, /cc\/no-library-for-interface/);
    assert.match(check.err, /realize the `cc:link` that names the library/);
  });
});

/** A directory holding the library at `path` under its SONAME, for the program to run against. */
function libDir(path: string): string {
  const at = join(dir, 'run-lib');
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'libt.so.1'), readFileSync(path));
  return at;
}
