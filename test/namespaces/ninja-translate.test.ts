/** Edges of a small CMake-like manifest turned into names: what becomes cc:compile, cc:archive, ninja:command, and what is left out. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { mapCommand, sandboxBuildDir, translate, type Layout } from '../../src/namespaces/ninja/translate.js';
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
    assert.deepEqual(c, { kind: 'compile', source: `${S}/a.c`, args: ['-DX=1', '-O2', '-D', 'JSON_C_DLL'], includes: [S, B] });
  });

  test('a compile naming a checkout path other than by -I is left to ninja:command', () => {
    const m = parseManifest(`rule cc\n  deps = gcc\n  command = cc -include ${B}/config.h -c $in -o $out\nbuild a.o: cc ${S}/a.c\n`, 'b', () => '');
    assert.equal(recognise(m.edges[0]!, [S, B]).kind, 'other');
  });

  test('the default target\'s edges become one compose: compiles with header trees, the archive with CMake\'s member names, the link run as written', () => {
    const plan = translate(manifest, layout, TC, []);
    assert.deepEqual(plan.counts, { compile: 2, archive: 1, command: 1 });
    assert.match(plan.text, /^compose\n {2}tc = filesystem:by-content/);
    // The source directory is an -I directory of a.c, so it is not added again; b.c's own directory comes first.
    assert.match(plan.text, new RegExp(`e0 = cc:compile\\?args=\\["-DX=1", -O2, -D, JSON_C_DLL\\]\\(src: \\$f0, include0: \\$h0, include1: \\$h1, toolchain: \\$tc\\)`));
    assert.match(plan.text, new RegExp(`h2 = ninja:headers\\?path=${S}/lib;`));
    assert.match(plan.text, /e1 = cc:compile\?args=\[\]\(src: \$f1, include0: \$h2, include1: \$h0, toolchain: \$tc\)/);
    assert.match(plan.text, /e2 = cc:archive\?name=libx\.a&members=\[a\.c\.o, b\.c\.o\]\(\$e0, \$e1, toolchain: \$tc\)/);
    // The link: /src and /build in its command, the run path kept, the undeclared version script an input.
    const link = /e3 = (ninja:command.*)/.exec(plan.text)![1]!;
    assert.ok(link.includes(`-Wl,--version-script,/src/x.sym`), link);
    assert.ok(link.includes(`-Wl,-rpath,${B}:`), link);
    assert.ok(link.includes('/usr/bin/gcc '), 'cc is gcc in a closure');
    assert.match(link, /inputs=\[\/build\/CMakeFiles\/x\.dir\/a\.c\.o, \/build\/libx\.a, \/src\/x\.sym\]&outputs=\[prog\]\(\$e0, \$e2, \$f2, toolchain: \$tc\)$/);
    assert.ok(!plan.text.includes('RERUN_CMAKE') && !plan.text.includes('--regenerate'), 'the generator edge is left out');
    // One result per declaration, in order.
    assert.deepEqual(plan.decls.filter((d) => d.kind !== 'support').map((d) => (d.kind === 'file' ? d.path : d.paths.join())), ['CMakeFiles/x.dir/a.c.o', 'CMakeFiles/x.dir/lib/b.c.o', 'libx.a', 'prog']);
    assert.equal(plan.decls.length, plan.text.split(';\n').length);
  });

  test('a target asks for only what it needs; an unknown target and a cycle are errors', () => {
    assert.deepEqual(translate(manifest, layout, TC, ['CMakeFiles/x.dir/a.c.o']).counts, { compile: 1, archive: 0, command: 0 });
    assert.throws(() => translate(manifest, layout, TC, ['nope']), (e: unknown) => e instanceof NomiaError && e.code === 'ninja/unknown-target');
    const cyclic = parseManifest('rule r\n  command = x\nbuild a: r b\nbuild b: r a\n', 'b', () => '');
    assert.throws(() => translate(cyclic, layout, TC, ['a']), (e: unknown) => e instanceof NomiaError && e.code === 'ninja/cycle');
  });

  test('paths map at directory boundaries only, a build directory inside the sources first', () => {
    const inner: Layout = { srcDir: '/p/src', buildDir: '/p/src/build' };
    assert.equal(mapCommand('cd /p/src/build && cc /p/src/a.c /p/src2/b.c /p/src/build2/c', inner), 'cd /src/build && cc /src/a.c /p/src2/b.c /src/build2/c');
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
    assert.deepEqual(plan.counts, { compile: 1, archive: 1, command: 2 });
    assert.ok(!plan.text.includes('ccache'), 'the launcher is dropped');
    assert.match(plan.text, /e0 = cc:compile\?args=\[-O0\]\(src: \$f0, include0: \$h0, include1: \$h1, include2: \$h2, include3: \$h3, toolchain: \$tc\)/);
    assert.match(plan.text, /e1 = cc:archive\?name=libutil\.a&members=\[src_util\.c\.o\]\(\$e0, toolchain: \$tc\)/);
    assert.match(plan.text, /e2 = ninja:command\?command="gcc  -o demo libutil\.a -Wl,--as-needed"&dir=\/src\/build&inputs=\[\/src\/build\/libutil\.a\]&outputs=\[demo\]\(\$e1, toolchain: \$tc\)/);
    assert.match(plan.text, /e3 = ninja:command\?command="sh \.\.\/gen\.sh gen\.h"&dir=\/src\/build&inputs=\[\/src\/gen\.sh\]&outputs=\[gen\.h\]\(\$f1, toolchain: \$tc\)/);
  });
});
