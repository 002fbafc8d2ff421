/**
 * The translation of a manifest configured in the sandbox (`ninja:build`):
 * files no edge makes are projections of the source and build trees, `-I`
 * directories are `ninja:headers-of` those trees, and the targets' files
 * are listed with phony targets expanded. Also `ninja:headers-of` realized,
 * and `cmake:configure`'s options.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { SANDBOX_LAYOUT, storeFiles } from '../../src/namespaces/ninja/store-files.js';
import { translate } from '../../src/namespaces/ninja/translate.js';
import { configureArgs } from '../../src/namespaces/cmake/configure.js';
import type { AtomRequest } from '../../src/namespace/index.js';
import { nomia, tempDir } from '../support/cli.js';

const root = tempDir('ninja-store-files');
const tree = (name: string, files: readonly string[]) => {
  const path = join(root, name);
  for (const f of files) {
    mkdirSync(join(path, f, '..'), { recursive: true });
    writeFileSync(join(path, f), '');
  }
  return { kind: 'object' as const, type: 'dir', name: `filesystem:by-content?name=${name}&sha256=${'0'.repeat(64)}`, path };
};
const trees = { src: tree('src', ['a.c', 'x.sym', 'a.h']), build: tree('build', ['config.h']), toolchain: tree('tc', ['usr/share/x.cmake']) };

const MANIFEST = `
rule C
  deps = gcc
  command = /usr/bin/gcc $FLAGS -MD -MT $out -MF $out.d -o $out -c $in
rule LINK
  command = /usr/bin/gcc -shared -Wl,--version-script,/src/x.sym $in -o $out
build CMakeFiles/x.dir/a.c.o: C /src/a.c
  FLAGS = -I/src -I/build -O2
build libx.so: LINK CMakeFiles/x.dir/a.c.o | /usr/share/x.cmake
build x: phony libx.so
`;

describe('a manifest of the sandbox layout, its files from store trees', () => {
  test('sources and undeclared files are projections, include trees are headers-of the trees, targets are expanded', () => {
    const plan = translate(parseManifest(MANIFEST, 'build.ninja', () => ''), SANDBOX_LAYOUT, '(tc:x)', ['x'], storeFiles(trees));
    assert.match(plan.text, new RegExp(`^compose\\n {2}tc = \\(tc:x\\);\\n {2}src = \\(${trees.src.name.replace(/[?=&]/g, '\\$&')}\\);\\n {2}build = \\(`));
    assert.match(plan.text, /h0 = ninja:headers-of\?path=\.\(tree: \$src\);\n {2}h1 = ninja:headers-of\?path=\.\(tree: \$build\)/);
    assert.match(plan.text, /e0 = cc:compile\?args=\[-O2\]\(src: \$src\/a\.c, include0: \$h0, include1: \$h1, toolchain: \$tc\)/);
    // The link is a cc:link: its undeclared version script a projection of the source tree; its implicit input
    // outside /src and /build is the toolchain's, which is `/` for the link anyway.
    assert.match(plan.text, /e1 = cc:link\?args=\[-shared, "-Wl,--version-script,\{0\}", "\{1\}"\]&name=libx\.so\(\$src\/x\.sym, \$e0, toolchain: \$tc\)/);
    assert.deepEqual(plan.targets, ['libx.so']);
    assert.ok(!/filesystem:import|ninja:headers\?/.test(plan.text), 'nothing of the host');
    assert.equal(plan.decls.length, plan.text.split(';\n').length);
  });

  test('ninja:headers-of realizes the headers of a directory of a tree, and refuses a path out of it', () => {
    const store = join(root, 'store');
    const src = join(root, 'project');
    for (const f of ['inc/a.h', 'inc/sub/b.hpp', 'inc/c.c', 'inc/CMakeFiles/d.h']) {
      mkdirSync(join(src, f, '..'), { recursive: true });
      writeFileSync(join(src, f), f);
    }
    const r = nomia(store, ['realize', `ninja:headers-of?path=inc(tree: filesystem:import?path=${JSON.stringify(src)})`]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(r.out.split('\n')[1]!, { recursive: true, encoding: 'utf8' }).sort(), ['a.h', 'sub', 'sub/b.hpp']);
    const out = nomia(store, ['realize', `ninja:headers-of?path="../x"(tree: filesystem:import?path=${JSON.stringify(src)})`]);
    assert.notEqual(out.code, 0);
    assert.match(out.err, /path inside the tree/);
  });

  test('ninja:build refuses a build tree configured for a host\'s directories', () => {
    const store = join(root, 'store');
    const host = join(root, 'host-build');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'CMakeCache.txt'), `CMAKE_HOME_DIRECTORY:INTERNAL=/home/me/json-c\nCMAKE_CACHEFILE_DIR:INTERNAL=${host}\n`);
    writeFileSync(join(host, 'build.ninja'), MANIFEST);
    const tree = (p: string) => `filesystem:import?path=${JSON.stringify(p)}`;
    const r = nomia(store, ['realize', `ninja:build?targets=[x](src: ${tree(trees.src.path)}, toolchain: ${tree(trees.toolchain.path)}, build: ${tree(host)})`]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /configured for \/home\/me\/json-c/);
  });

  test('cmake:configure takes cache entries and warning options, and refuses what chooses directories or the generator', () => {
    const req = (args: string[]): AtomRequest => ({ namespace: { id: 'cmake', params: [] }, nameId: 'configure', params: [{ key: 'args', value: { kind: 'List', items: args.map((value) => ({ kind: 'String', value })) } }] } as unknown as AtomRequest);
    for (const ok of [['-DCMAKE_BUILD_TYPE=Release'], ['-UFOO', '-Wno-dev', '--log-level=WARNING'], []]) assert.deepEqual(configureArgs(req(ok)), ok);
    for (const bad of ['-S/elsewhere', '-B', '-GUnix Makefiles', '--build', '-P', '-E', 'x', '-D']) {
      assert.throws(() => configureArgs(req([bad])), /cannot take/, bad);
    }
  });
});
