/**
 * A second checkout of a CMake project with shared libraries, at another
 * path, builds nothing through `nomia ninja` (issue 17, docs/namespaces/ninja.md,
 * "Links"). CMake links a program against a shared library that needs
 * another with `-Wl,-rpath-link,<build>/lib`, a link-time search directory
 * that leaves nothing in the output: it is mapped to the sandbox paths, as
 * compile sources are. Before, it stayed absolute, so the copy linked its
 * program again. The run path itself (`-Wl,-rpath,…`) is in the output: CMake
 * writes `$ORIGIN` there with `CMAKE_BUILD_RPATH_USE_ORIGIN`, and the
 * outputs are byte for byte those of the first checkout and of ninja. The
 * toolchain is the host's files (no package database), so nothing is
 * downloaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-second-path');
const store = join(dir, 'store');
const noDpkg = join(dir, 'no-dpkg');
mkdirSync(noDpkg);

const FILES: Record<string, string> = {
  'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.13)\nproject(shared C)\nadd_subdirectory(lib)\nadd_executable(prog main.c)\ntarget_link_libraries(prog PRIVATE outer)\n',
  'lib/CMakeLists.txt': 'add_library(inner SHARED inner.c)\nadd_library(outer SHARED outer.c)\ntarget_link_libraries(outer PRIVATE inner)\ntarget_include_directories(outer PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n',
  'lib/inner.c': 'int inner(int x) { return x + 1; }\n',
  'lib/outer.h': 'int outer(int);\n',
  'lib/outer.c': 'int inner(int);\nint outer(int x) { return inner(x) * 2; }\n',
  'main.c': '#include <stdio.h>\n#include "outer.h"\nint main(void) { printf("%d\\n", outer(20)); return 0; }\n',
};

/** Write the project under `root/src`, configure `root/build`. */
function setup(root: string, generatorArgs: readonly string[] = []): string {
  for (const [f, text] of Object.entries(FILES)) {
    mkdirSync(join(root, 'src', f, '..'), { recursive: true });
    writeFileSync(join(root, 'src', f), text);
  }
  execFileSync('cmake', ['-S', join(root, 'src'), '-B', join(root, 'build'), '-G', 'Ninja', '-DCMAKE_BUILD_RPATH_USE_ORIGIN=ON', ...generatorArgs], { stdio: 'pipe' });
  return join(root, 'build');
}

/** Build with `nomia ninja`; the labels of the compiles, archives, links and commands that ran. */
function build(buildDir: string): string[] {
  const r = nomia(store, ['ninja', '-C', buildDir, '--log-format', 'json'], { cwd: dir, env: { DPKG_ADMINDIR: noDpkg } });
  assert.equal(r.code, 0, r.err.slice(-3000));
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string });
  return events.filter((e) => e.kind === 'realizing' && e.label).map((e) => e.label!).concat(oneRunCompiles(r.err)).filter((l) => /^(cc:|ninja:command)/.test(l));
}

describe('nomia ninja: a second checkout at another path', () => {
  test('a CMake project with shared libraries that need each other links nothing at the second path', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'ninja', 'ninja-build')) return;
    const first = setup(join(dir, 'one'));
    assert.match(readFileSync(join(first, 'build.ninja'), 'utf8'), /-Wl,-rpath-link,\S*\/one\/build\/lib/, 'CMake names the build directory in the link of prog');
    const cold = build(first);
    // The linker reads libinner.so, which libouter.so needs, in that directory: the link binds it there.
    const link = cold.find((l) => l.includes('-o prog'));
    assert.match(link ?? '', /-Wl,-rpath-link,\/build\/lib.*inputs=\[[^\]]*\/build\/lib\/libinner\.so/, cold.join('\n'));
    assert.equal(execFileSync(join(first, 'prog'), { encoding: 'utf8' }), '42\n');

    const second = setup(join(dir, 'elsewhere', 'two'));
    const copy = build(second);
    assert.deepEqual(copy, [], 'no compile, link or command ran');
    assert.equal(execFileSync(join(second, 'prog'), { encoding: 'utf8' }), '42\n');

    // ninja's own outputs at a third path: the same bytes (nothing absolute is left in them).
    const third = setup(join(dir, 'ninja'));
    execFileSync('ninja', ['-C', third], { stdio: 'pipe' });
    for (const f of ['prog', 'lib/libouter.so', 'lib/libinner.so']) {
      assert.ok(readFileSync(join(second, f)).equals(readFileSync(join(third, f))), `${f} is ninja's, byte for byte`);
    }
  });
});
