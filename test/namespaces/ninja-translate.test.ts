/** Edges of a small CMake-like manifest turned into names: what becomes cc:compile, cc:archive, ninja:command, and what is left out. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { mapCommand, sandboxBuildDir, type Layout } from '../../src/namespaces/ninja/sandbox-paths.js';
import { translate } from '../../src/namespaces/ninja/translate.js';
import { recognise } from '../../src/namespaces/ninja/recognise.js';
import { tempDir } from '../support/cli.js';

const root = tempDir('ninja-translate');
const layout: Layout = { srcDir: join(root, 'src'), buildDir: join(root, 'build') };
mkdirSync(join(layout.srcDir, 'lib'), { recursive: true });
mkdirSync(layout.buildDir, { recursive: true });
for (const f of ['a.c', 'lib/b.c', 'x.sym', 'CMakeLists.txt']) writeFileSync(join(layout.srcDir, f), '');

const S = layout.srcDir;
const B = layout.buildDir;
const MANIFEST = `
cmake_ninja_workdir = ${B}/
rule C_COMPILER
  depfile = $DEP_FILE
  deps = gcc
  command = /usr/bin/cc $DEFINES $INCLUDES $FLAGS -MD -MT $out -MF $DEP_FILE -o $out -c $in
rule STATIC
  command = $PRE_LINK && /usr/bin/cmake -E rm -f $TARGET_FILE && /usr/bin/ar qc $TARGET_FILE $LINK_FLAGS $in && /usr/bin/ranlib $TARGET_FILE && $POST_BUILD
rule LINK
  command = $PRE_LINK && /usr/bin/cc $FLAGS $LINK_FLAGS $in -o $TARGET_FILE $LINK_LIBRARIES && $POST_BUILD
rule RERUN_CMAKE
  command = /usr/bin/cmake --regenerate-during-build -S${S} -B${B}
  generator = 1
build CMakeFiles/x.dir/a.c.o: C_COMPILER ${S}/a.c || order
  DEFINES = -DX=1
  DEP_FILE = CMakeFiles/x.dir/a.c.o.d
  FLAGS = -O2 -D JSON_C_DLL
  INCLUDES = -I${S} -I${B}
build CMakeFiles/x.dir/lib/b.c.o: C_COMPILER ${S}/lib/b.c
  DEP_FILE = CMakeFiles/x.dir/lib/b.c.o.d
  INCLUDES = -I${S}
build order: phony
build libx.a: STATIC CMakeFiles/x.dir/a.c.o CMakeFiles/x.dir/lib/b.c.o
  PRE_LINK = :
  POST_BUILD = :
  TARGET_FILE = libx.a
build prog: LINK CMakeFiles/x.dir/a.c.o | libx.a
  PRE_LINK = :
  POST_BUILD = :
  LINK_FLAGS = -Wl,--version-script,${S}/x.sym
  LINK_LIBRARIES = -Wl,-rpath,${B}: libx.a
  TARGET_FILE = prog
build all: phony prog libx.a
build build.ninja: RERUN_CMAKE | ${S}/CMakeLists.txt
default all
`;
const manifest = parseManifest(MANIFEST, 'build.ninja', () => '');
const TC = 'filesystem:by-content?sha256=0000000000000000000000000000000000000000000000000000000000000000';

describe('ninja edges as names', () => {
  test('recognises compiles (with -D NAME split in two), archives, and leaves the rest', () => {
    const kinds = manifest.edges.map((e) => recognise(e, [S, B]).kind);
    assert.deepEqual(kinds, ['compile', 'compile', 'other', 'archive', 'other', 'other', 'other']);
    const c = recognise(manifest.edges[0]!, [S, B]);
    assert.deepEqual(c, { kind: 'compile', source: `${S}/a.c`, args: ['-DX=1', '-O2', '-D', 'JSON_C_DLL'], includes: [S, B], system: [] });
  });

  test('a compile naming a checkout path other than by -I is left to ninja:command', () => {
    const m = parseManifest(`rule cc\n  deps = gcc\n  command = cc -include ${B}/config.h -c $in -o $out\nbuild a.o: cc ${S}/a.c\n`, 'b', () => '');
    assert.equal(recognise(m.edges[0]!, [S, B]).kind, 'other');
  });

  test('the default target\'s edges become one compose: compiles with header trees, the archive with CMake\'s member names, the link a cc:link', () => {
    const plan = translate(manifest, layout, TC, []);
    assert.deepEqual(plan.counts, { compile: 2, archive: 1, link: 1, command: 0 });
    assert.match(plan.text, /^compose\n {2}tc = filesystem:by-content/);
    // The source directory is an -I directory of a.c, so it is not added again; b.c's own directory comes first.
    assert.match(plan.text, new RegExp(`e0 = cc:compile\\?args=\\["-DX=1", -O2, -D, JSON_C_DLL\\]\\(src: \\$f0, include0: \\$h0, include1: \\$h1, toolchain: \\$tc\\)`));
    assert.match(plan.text, new RegExp(`h2 = ninja:headers\\?path=${S}/lib;`));
    assert.match(plan.text, /e1 = cc:compile\?args=\[\]\(src: \$f1, include0: \$h2, include1: \$h0, toolchain: \$tc\)/);
    assert.match(plan.text, /e2 = cc:archive\?name=libx\.a&members=\[a\.c\.o, b\.c\.o\]\(\$e0, \$e1, toolchain: \$tc\)/);
    // The link: each file where the command has it, the undeclared version script an input by content, the run
    // path kept as written; no checkout path otherwise.
    const link = /e3 = (cc:link.*)/.exec(plan.text)![1]!;
    assert.equal(link, `cc:link?args=["-Wl,--version-script,{0}", "{1}", "-Wl,-rpath,${B}:", "{2}"]&name=prog($f2, $e0, $e2, toolchain: $tc)`);
    assert.match(plan.text, new RegExp(`f2 = filesystem:import\\?path=${S}/x\\.sym;`));
    assert.ok(!plan.text.includes('RERUN_CMAKE') && !plan.text.includes('--regenerate'), 'the generator edge is left out');
    // One result per declaration, in order.
    assert.deepEqual(plan.decls.filter((d) => d.kind !== 'support').map((d) => (d.kind === 'file' ? d.path : d.paths.join())), ['CMakeFiles/x.dir/a.c.o', 'CMakeFiles/x.dir/lib/b.c.o', 'libx.a', 'prog']);
    assert.equal(plan.decls.length, plan.text.split(';\n').length);
  });

  test('a target asks for only what it needs; an unknown target and a cycle are errors', () => {
    assert.deepEqual(translate(manifest, layout, TC, ['CMakeFiles/x.dir/a.c.o']).counts, { compile: 1, archive: 0, link: 0, command: 0 });
    assert.throws(() => translate(manifest, layout, TC, ['nope']), (e: unknown) => e instanceof NomiaError && e.code === 'ninja/unknown-target' && e.message === "unknown target 'nope'");
    // A typo gets ninja's suggestion of the closest target.
    assert.throws(() => translate(manifest, layout, TC, ['libx.b']), (e: unknown) => e instanceof NomiaError && e.message === "unknown target 'libx.b' (did you mean `libx.a`?)");
    const cyclic = parseManifest('rule r\n  command = x\nbuild a: r b\nbuild b: r a\n', 'b', () => '');
    assert.throws(() => translate(cyclic, layout, TC, ['a']), (e: unknown) => e instanceof NomiaError && e.code === 'ninja/cycle');
  });

  test('C++: toolchain directories stay flags (or trees after a project one), -isystem ones of the project are system trees, other directories outside are trees, a toolchain source is a projection, a non-header include runs with the source tree, links use g++', () => {
    // The toolchain's googletest (it is / in the sandbox; not read here), and a directory of this machine outside the project.
    const G = '/usr/src/gt';
    const O = join(root, 'elsewhere');
    mkdirSync(join(O, 'include'), { recursive: true });
    writeFileSync(join(O, 'extra.map'), '{ global: *; };\n');
    writeFileSync(join(S, 't.cc'), '#include "t.h"\n');
    writeFileSync(join(S, 'mock.cc'), '#include "../src/os.cc"\n');
    const m = parseManifest(`
rule CXX
  deps = gcc
  depfile = $out.d
  command = /usr/bin/c++ $INCLUDES -std=c++11 -MD -MT $out -MF $out.d -o $out -c $in
rule SO
  command = : && /usr/bin/c++ -fPIC -shared $SONAME -o $out $in && :
rule EXE
  command = : && /usr/bin/c++ -O2 $in -o $out -Wl,-rpath,${B}/lib $LIBS && :
build ${G}/src/gt-all.cc: phony
build t.o: CXX ${S}/t.cc
  INCLUDES = -I${S}/include -I${O}/include -isystem ${G}/include
build gt.o: CXX ${G}/src/gt-all.cc
  INCLUDES = -I${G}/include -I${G}
build mock.o: CXX ${S}/mock.cc
  INCLUDES = -I${S}/include
build mixed.o: CXX ${S}/t.cc
  INCLUDES = -I${S}/include -I${G}/include
build sys.o: CXX ${S}/t.cc
  INCLUDES = -isystem ${G}/include -I${S}/include -isystem ${S}/third -isystem ${G}/extra -I${S}/third -I${S}/include
build standard.o: CXX ${S}/t.cc
  INCLUDES = -I${S}/include -I/usr/include
build lib/libgt.so: SO gt.o
  SONAME = -Wl,-soname,libgt.so -Wl,--version-script,${O}/extra.map
build lib/libnoname.so: SO gt.o
build prog: EXE t.o mock.o | lib/libgt.so
  LIBS = lib/libgt.so /usr/lib/libz.so
build prog2: EXE t.o | lib/libnoname.so
  LIBS = lib/libnoname.so
build prog3: EXE t.o
  LIBS = -L${S}/lib
build all: phony prog prog2 prog3 mixed.o sys.o standard.o
default all
`, 'build.ninja', () => '');
    const plan = translate(m, layout, TC, []);
    assert.deepEqual(plan.counts, { compile: 4, archive: 0, link: 3, command: 4 });
    // The declaration that makes `out`: plan.decls[i] is the i-th line of the compose.
    const lines = plan.text.split(';\n');
    const line = (out: string) => lines[plan.decls.findIndex((d) => (d.kind === 'file' ? d.path === out : d.kind === 'tree' && d.paths.includes(out)))]!;
    const decl = (out: string) => line(out).replace(/^(compose\n)?\s*e\d+ = /, '');
    const v = (out: string) => `$${/(e\d+) = /.exec(line(out))![1]}`;
    const tree = (dir: string) => `$${new RegExp(`(h\\d+) = ninja:headers\\?path=${dir};`).exec(plan.text)![1]}`;
    assert.equal(decl('t.o'), `cc:compile?args=["-std=c++11", "-isystem${G}/include"](src: $f0, include0: ${tree(S)}, include1: ${tree(`${S}/include`)}, include2: ${tree(`${O}/include`)}, toolchain: $tc)`);
    assert.equal(decl('gt.o'), `cc:compile?args=["-std=c++11", "-I${G}/src", "-I${G}/include", "-I${G}"](src: $tc${G}/src/gt-all.cc, toolchain: $tc)`);
    assert.match(decl('mock.o'), /^ninja:command\?command="\/usr\/bin\/g\+\+ -I\/src\/include .*-c \/src\/mock\.cc"&depfile=mock\.o\.d&inputs=\[\/src, \/build, \/src\/mock\.cc\]&outputs=\[mock\.o\]\(\$t0, \$h\d+, \$f\d+, toolchain: \$tc\)$/, 'the source tree at /src, the build directory\'s headers copied into /build, the dependency file to learn what it read');
    assert.match(plan.text, new RegExp(`t0 = ninja:files\\?path=${S};`));
    // A file outside the project that is not the toolchain's is an input by content, as CMake's version-script check needs.
    const map = /(f\d+) = filesystem:import\?path=([^;]*extra\.map)/.exec(plan.text)!;
    assert.equal(map[2], join(O, 'extra.map'));
    assert.equal(decl('lib/libgt.so'), `cc:link?args=[-fPIC, -shared, "-Wl,-soname,libgt.so", "-Wl,--version-script,{0}", "{1}"]&driver=g++&name=libgt.so($${map[1]}, ${v('gt.o')}, toolchain: $tc)`);
    assert.equal(decl('prog'), `cc:link?args=[-O2, "{0}", "{1}", "-Wl,-rpath,${B}/lib", "{2}", /usr/lib/libz.so]&driver=g++&name=prog(${v('t.o')}, ${v('mock.o')}/mock.o, ${v('lib/libgt.so')}, toolchain: $tc)`);
    // A shared library without a soname would be recorded by its sandbox path in what links it: that link stays a command.
    assert.match(plan.text, /cc:link\?args=\[-fPIC, -shared, "\{0\}"\]&driver=g\+\+&name=libnoname\.so\(/);
    assert.ok(plan.text.includes('outputs=[prog2]'));
    // A project directory in a flag is not a file to lay out: a command.
    assert.ok(plan.text.includes('outputs=[prog3]'));
    // A toolchain -I after a tree is a tree too, the toolchain's part at that path, so the search order holds.
    assert.equal(decl('mixed.o'), `cc:compile?args=["-std=c++11"](src: $f0, include0: ${tree(S)}, include1: ${tree(`${S}/include`)}, include2: $tc${G}/include, toolchain: $tc)`);
    // -isystem directories of the project are system trees (last, system=K); a toolchain one before them stays a flag,
    // one after them is a tree; an -I that is also -isystem is dropped, a repeated -I kept once (gcc's rules).
    assert.equal(decl('sys.o'), `cc:compile?args=["-std=c++11", "-isystem${G}/include"]&system=2(src: $f0, include0: ${tree(S)}, include1: ${tree(`${S}/include`)}, include2: ${tree(`${S}/third`)}, include3: $tc${G}/extra, toolchain: $tc)`);
    // One of gcc's standard directories after a tree: a command (gcc ignores it as -I, a tree would not be ignored).
    assert.ok(plan.text.includes('outputs=[standard.o]'));
  });

  test('paths map at directory boundaries only, a build directory inside the sources first', () => {
    const inner: Layout = { srcDir: '/p/src', buildDir: '/p/src/build' };
    assert.equal(mapCommand('cd /p/src/build && cc /p/src/a.c /p/src2/b.c /p/src/build2/c', inner), 'cd /src/build && cc /src/a.c /p/src2/b.c /src/build2/c');
  });

  test('a link-time search directory maps, a run path (written into the output) stays as ninja writes it', () => {
    const inner: Layout = { srcDir: '/p/src', buildDir: '/p/src/build' };
    assert.equal(
      mapCommand('cc -o x x.o -Wl,-rpath-link,/p/src/build/lib -Wl,-rpath,/p/src/build/lib -Wl,-rpath=/p/src/build -Wl,-R/p/src/build -L/p/src/build/lib', inner),
      'cc -o x x.o -Wl,-rpath-link,/src/build/lib -Wl,-rpath,/p/src/build/lib -Wl,-rpath=/p/src/build -Wl,-R/p/src/build -L/src/build/lib',
    );
  });

  test('the sandbox build directory is inside /src where the build directory is inside the sources, else /build', () => {
    assert.equal(sandboxBuildDir({ srcDir: '/p/src', buildDir: '/p/src/build' }), '/src/build');
    assert.equal(sandboxBuildDir({ srcDir: '/p/src', buildDir: '/p/src/out/debug' }), '/src/out/debug');
    assert.equal(sandboxBuildDir({ srcDir: '/p/src', buildDir: '/p/build' }), '/build');
    assert.equal(sandboxBuildDir({ srcDir: '/p/src', buildDir: '/p/src2' }), '/build');
    assert.equal(sandboxBuildDir({ srcDir: '/p/src', buildDir: '/p/src' }), '/build', 'an in-source build keeps /build');
  });

  test('Meson\'s edges: a launcher dropped, ../ inputs inside /src, its gcc-ar archive, its bare cc as gcc', () => {
    const root = tempDir('ninja-translate-meson');
    const m: Layout = { srcDir: root, buildDir: join(root, 'build') };
    mkdirSync(join(root, 'src'), { recursive: true });
    mkdirSync(m.buildDir, { recursive: true });
    writeFileSync(join(root, 'src', 'util.c'), '');
    writeFileSync(join(root, 'gen.sh'), '');
    const text = `
rule c_COMPILER
 command = ccache cc $ARGS -MD -MQ $out -MF $DEPFILE -o $out -c $in
 deps = gcc
 depfile = $DEPFILE_UNQUOTED
rule STATIC_LINKER
 command = rm -f $out && gcc-ar $LINK_ARGS $out $in
rule c_LINKER
 command = cc $ARGS -o $out $in $LINK_ARGS
rule CUSTOM_COMMAND
 command = $COMMAND
 restat = 1
build libutil.a.p/src_util.c.o: c_COMPILER ../src/util.c
 DEPFILE = libutil.a.p/src_util.c.o.d
 DEPFILE_UNQUOTED = libutil.a.p/src_util.c.o.d
 ARGS = -Ilibutil.a.p -I. -I.. -O0
build libutil.a: STATIC_LINKER libutil.a.p/src_util.c.o
 LINK_ARGS = csrDT
build demo: c_LINKER libutil.a
 LINK_ARGS = -Wl,--as-needed
build gen.h: CUSTOM_COMMAND ../gen.sh
 COMMAND = sh ../gen.sh gen.h
build all: phony demo gen.h
default all
`;
    const plan = translate(parseManifest(text, 'build.ninja', () => ''), m, TC, []);
    assert.deepEqual(plan.counts, { compile: 1, archive: 1, link: 1, command: 1 });
    assert.ok(!plan.text.includes('ccache'), 'the launcher is dropped');
    assert.match(plan.text, /e0 = cc:compile\?args=\[-O0\]\(src: \$f0, include0: \$h0, include1: \$h1, include2: \$h2, include3: \$h3, toolchain: \$tc\)/);
    assert.match(plan.text, /e1 = cc:archive\?name=libutil\.a&members=\[src_util\.c\.o\]\(\$e0, toolchain: \$tc\)/);
    // Meson's link (a bare `cc`, paths relative to the build directory) is a cc:link: its files by content.
    assert.match(plan.text, /e2 = cc:link\?args=\["\{0\}", "-Wl,--as-needed"\]&name=demo\(\$e1, toolchain: \$tc\)/);
    assert.match(plan.text, /e3 = ninja:command\?command="sh \.\.\/gen\.sh gen\.h"&dir=\/src\/build&inputs=\[\/src\/gen\.sh\]&outputs=\[gen\.h\]\(\$f1, toolchain: \$tc\)/);
  });

  test('Meson\'s shared library (pixman): a link through the symbol list takes the library, never the build directory, nor the toolchain\'s libm.a', () => {
    const root = tempDir('ninja-translate-meson-shared');
    const m: Layout = { srcDir: root, buildDir: join(root, 'build') };
    mkdirSync(join(m.buildDir, 'lib'), { recursive: true });
    writeFileSync(join(root, 'main.c'), '');
    const text = `
rule SHSYM
 command = /usr/bin/meson --internal symbolextractor ${m.buildDir} $in $IMPLIB $out $CROSS
 restat = 1
rule c_LINKER
 command = cc $ARGS -o $out $in $LINK_ARGS
build lib/libx.so: c_LINKER ../main.c
 LINK_ARGS = -shared
build lib/libx.so.p/libx.so.symbols: SHSYM lib/libx.so
 IMPLIB = lib/libx.so
build prog: c_LINKER ../main.c | /usr/lib/x86_64-linux-gnu/libm.a lib/libx.so.p/libx.so.symbols
 LINK_ARGS = -Wl,-rpath-link,${m.buildDir}/lib lib/libx.so -lm
default prog
`;
    const plan = translate(parseManifest(text, 'build.ninja', () => ''), m, TC, []);
    const prog = plan.text.split('\n').find((l) => l.includes('-o prog'))!;
    assert.match(prog, /inputs=\[\/src\/main\.c, \/src\/build\/lib\/libx\.so\.p\/libx\.so\.symbols, \/src\/build\/lib\/libx\.so\]/, prog);
    const symbols = plan.text.split('\n').find((l) => l.includes('symbolextractor'))!;
    assert.match(symbols, /inputs=\[\/src\/build\/lib\/libx\.so\]/, 'the build directory the command names is not an input');
  });
});
