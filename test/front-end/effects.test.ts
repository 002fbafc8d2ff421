/**
 * `nomia ninja test` and `nomia ninja check` (front-end/effects.ts): an
 * edge that makes no file runs as ninja runs it, on this machine, in the
 * build directory, after what it needs is built and written there, every
 * time it is asked for; a build without one still keeps its memo.
 * `cmake --build --target test` drives it unchanged. An
 * `add_custom_target` with `BYPRODUCTS` does make files: it is a name whose
 * outputs are its byproducts, sandboxed and cached.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { nextSecond } from '../support/clock.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';

const dir = tempDir('effects');
const store = join(dir, 'store');
const src = join(dir, 'proj');
const build = join(dir, 'build');
let toolchain = '';

const ninja = (...args: string[]) => nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'plain', ...args], { cwd: dir });
const summary = (err: string) => err.split('\n').find((l) => l.startsWith('ninja: ')) ?? '';

describe('edges that make no file, run by nomia ninja', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    if (!hasCmakeTools()) return;
    toolchain = realizeCmakeToolchain(store, dir);
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.10)', 'project(effects C)', 'enable_testing()',
      'add_executable(prog main.c)', 'add_test(NAME prints COMMAND prog)',
      // `check` runs the program it depends on: it must be built and written before the command runs.
      'add_custom_target(check COMMAND prog DEPENDS prog)', '',
    ].join('\n'));
    writeFileSync(join(src, 'main.c'), '#include <stdio.h>\nint main(void) { puts("prog-ran"); return 0; }\n');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
  });

  test('check builds prog, then runs it here, every time it is asked for', (t) => {
    if (!cmakeReady(t, toolchain)) return;
    for (let i = 0; i < 2; i++) {
      const r = ninja('check');
      assert.equal(r.code, 0, r.err.slice(-2000));
      assert.match(r.out, /^prog-ran$/m, `run ${i + 1}: ${r.err.slice(-1000)}`);
      assert.match(summary(r.err), /; ran CMakeFiles\/check on this machine \(makes no file: run every time, not cached\)$/);
    }
  });

  test('a build without such an edge is still answered from the memo; check after it still runs', (t) => {
    if (!cmakeReady(t, toolchain)) return;
    assert.equal(ninja().code, 0);
    // A memo kept in the second its files were written is racy and never answers (store/stat-cache.ts):
    // past that second, one walk keeps a memo that holds.
    nextSecond();
    assert.equal(ninja().code, 0);
    const noop = ninja();
    assert.match(summary(noop.err), /answered from the memo/);
    const check = ninja('check');
    assert.equal(check.code, 0, check.err.slice(-2000));
    assert.match(check.out, /^prog-ran$/m);
  });

  test('test runs ctest in the build directory; cmake --build --target test drives it through CMAKE_MAKE_PROGRAM', (t) => {
    if (!cmakeReady(t, toolchain)) return;
    const r = ninja('test');
    assert.equal(r.code, 0, r.err.slice(-2000));
    assert.match(r.out, /100% tests passed, 0 tests failed out of 1/);
    assert.match(summary(r.err), /ran 0 of 0 compiles, 0 of 0 archives, 0 of 0 links, 0 of 0 commands; .*ran CMakeFiles\/test\.util on this machine/);

    const wrapped = join(dir, 'build-wrapped');
    const wrapper = join(dir, 'nomia-ninja');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${bin}' --store '${store}' ninja --toolchain '${toolchain}' "$@"\n`, { mode: 0o755 });
    execFileSync('cmake', ['-S', src, '-B', wrapped, '-G', 'Ninja', `-DCMAKE_MAKE_PROGRAM=${wrapper}`], { stdio: 'pipe', env: env() });
    const all = spawnSync('cmake', ['--build', wrapped], { encoding: 'utf8', env: env() });
    assert.equal(all.status, 0, all.stderr);
    const tests = spawnSync('cmake', ['--build', wrapped, '--target', 'test'], { encoding: 'utf8', env: env() });
    assert.equal(tests.status, 0, tests.stderr);
    assert.match(tests.stdout, /100% tests passed, 0 tests failed out of 1/);
  });

  test('a failing test fails nomia ninja with ctest\'s exit status and says which command failed', (t) => {
    if (!cmakeReady(t, toolchain)) return;
    appendFileSync(join(src, 'CMakeLists.txt'), 'add_test(NAME fails COMMAND false)\n');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
    const r = ninja('test');
    // ctest's own status for failed tests.
    assert.equal(r.code, 8, r.err.slice(-2000));
    assert.match(r.out, /50% tests passed, 1 tests failed out of 2/);
    assert.match(r.err, /error\[ninja\/effect-failed\]: CMakeFiles\/test\.util \(Running tests\.\.\.\) failed with exit status 8: cd \S+ && \/usr\/bin\/ctest/);
    assert.match(r.err, /hint: .*run it alone: cd \S+ && \/usr\/bin\/ctest/);
  });

  test('add_custom_target with BYPRODUCTS is built as a name making its byproducts, which a compile reads; cached like any command', (t) => {
    if (!cmakeReady(t, toolchain)) return;
    const project = (at: string) => {
      mkdirSync(at);
      writeFileSync(join(at, 'CMakeLists.txt'), [
        'cmake_minimum_required(VERSION 3.10)', 'project(byproducts C)',
        // CMake gives this edge `restat = 1` and two outputs: CMakeFiles/gen, never written, and out.h.
        'add_custom_target(gen BYPRODUCTS ${CMAKE_CURRENT_BINARY_DIR}/out.h COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/gen.sh out.h)',
        'add_executable(app main.c)', 'target_include_directories(app PRIVATE ${CMAKE_CURRENT_BINARY_DIR})', 'add_dependencies(app gen)', '',
      ].join('\n'));
      writeFileSync(join(at, 'gen.sh'), 'echo "#define V 42" > "$1"\n');
      writeFileSync(join(at, 'main.c'), '#include <stdio.h>\n#include "out.h"\nint main(void) { printf("%d\\n", V); return 0; }\n');
    };
    const gsrc = join(dir, 'gen-src');
    const gbuild = join(dir, 'gen-build');
    project(gsrc);
    execFileSync('cmake', ['-S', gsrc, '-B', gbuild, '-G', 'Ninja'], { stdio: 'pipe' });
    const build = (at: string) => nomia(store, ['ninja', '-C', at, '--toolchain', toolchain, '--log-format', 'plain'], { cwd: dir });
    const r = build(gbuild);
    assert.equal(r.code, 0, r.err.slice(-2000));
    assert.match(summary(r.err), /ran 1 of 1 compiles, 0 of 0 archives, 1 of 1 links, 1 of 1 commands; 3 files written/);
    assert.doesNotMatch(r.err, /on this machine/, 'not run as an effect');
    assert.equal(readFileSync(join(gbuild, 'out.h'), 'utf8'), '#define V 42\n');
    assert.equal(execFileSync(join(gbuild, 'app'), { encoding: 'utf8' }), '42\n');
    // The generator changed: the byproduct is made again, and the compile and link that read it run.
    writeFileSync(join(gsrc, 'gen.sh'), 'echo "#define V 43" > "$1"\n');
    const again = build(gbuild);
    assert.equal(again.code, 0, again.err.slice(-2000));
    assert.equal(execFileSync(join(gbuild, 'app'), { encoding: 'utf8' }), '43\n');
    // The same project at another path: the command is a name of what it reads, so it does not run again (the
    // compile runs header discovery once, the build directory's headers being new, and its object is the same).
    const copy = join(dir, 'gen-copy');
    cpSync(gsrc, copy, { recursive: true });
    execFileSync('cmake', ['-S', copy, '-B', join(dir, 'gen-copy-build'), '-G', 'Ninja'], { stdio: 'pipe' });
    const other = build(join(dir, 'gen-copy-build'));
    assert.equal(other.code, 0, other.err.slice(-2000));
    assert.match(summary(other.err), /ran [01] of 1 compiles, 0 of 0 archives, 0 of 1 links, 0 of 1 commands/);
    assert.equal(execFileSync(join(dir, 'gen-copy-build', 'app'), { encoding: 'utf8' }), '43\n');
    // A build directory inside the source directory (`cmake -B build`): the command's `cd SRC/build` is its
    // writable working directory, not a read-only input laid over it.
    execFileSync('cmake', ['-S', copy, '-B', join(copy, 'build'), '-G', 'Ninja'], { stdio: 'pipe' });
    const inside = build(join(copy, 'build'));
    assert.equal(inside.code, 0, inside.err.slice(-2000));
    assert.equal(execFileSync(join(copy, 'build', 'app'), { encoding: 'utf8' }), '43\n');
  });
});
