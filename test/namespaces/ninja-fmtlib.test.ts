/**
 * `nomia ninja` on a C++ project (issue 17): fmtlib 9.1 from its Debian
 * source, with Debian's patch that builds its tests against the
 * `googletest` package, configured with CMake on the host, built through
 * the front-end in the sandbox with a `deb:closure` toolchain (g++ and
 * googletest in it). Its own test suite passes; every link is a `cc:link`;
 * a comment in one test's `.cc` file reruns one compile and no link; a
 * comment in a header reruns exactly the compiles that read it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-fmtlib');
const store = join(dir, 'store');
let toolchain = '';
let source = '';
/** Where CMake reads googletest on the host (Debian's patch points there). */
const GOOGLETEST = '/usr/src/googletest';

interface Build {
  readonly code: number | null;
  readonly err: string;
  /** Labels of the nodes that ran, and the exact names compiled in one run (support/one-run.ts). */
  readonly ran: readonly string[];
}

function ninja(build: string): Build {
  const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'json'], { cwd: dir });
  const ran: string[] = [];
  for (const line of r.err.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { kind: string; label?: string };
    if (e.kind === 'realizing' && e.label) ran.push(e.label);
  }
  ran.push(...oneRunCompiles(r.err));
  return { code: r.code, err: r.err, ran };
}

const ran = (b: Build, prefix: string) => b.ran.filter((l) => l.startsWith(prefix));

function ready(t: TestContext): boolean {
  if (!requireTool(t, 'apt-get', 'apt') || !requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'g++', 'g++')) return false;
  if (!existsSync(GOOGLETEST)) {
    if (process.env['CI'] === 'true') throw new Error(`${GOOGLETEST} is missing under CI=true: .ci/run must install googletest`);
    t.skip(`${GOOGLETEST} missing (apt-get install googletest)`);
    return false;
  }
  return toolchain !== '';
}

describe('nomia ninja on fmtlib (C++)', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap') || !hasTool('cmake') || !existsSync(GOOGLETEST)) return;
    const tc = nomia(store, ['realize', 'deb:closure?packages=[cmake, g++, gcc, libc6-dev, googletest]'], { cwd: dir });
    assert.equal(tc.code, 0, tc.err);
    toolchain = tc.out.split('\n')[0]!;
    const src = nomia(store, ['realize', 'deb:source?package=fmtlib'], { cwd: dir });
    assert.equal(src.code, 0, src.err);
    source = join(dir, 'fmtlib');
    cpSync(src.out.split('\n')[1]!, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);
    // deb:source leaves Debian's patches unapplied; this one is how Debian builds the tests (git apply works outside a repository).
    execFileSync('git', ['apply', 'debian/patches/0001-Build-with-system-googletest.patch'], { cwd: source, stdio: 'pipe' });
  });

  test('builds libfmt and its tests, ctest passes, links are cc:link, a comment reruns one compile, a header comment only its readers', (t) => {
    if (!ready(t)) return;
    const build = join(dir, 'build');
    // Debian's configure flags (debian/rules), with the tests on.
    execFileSync('cmake', ['-S', source, '-B', build, '-G', 'Ninja', '-DFMT_TEST=ON', '-DFMT_DOC=OFF', '-DFMT_PEDANTIC=ON', '-DCMAKE_POSITION_INDEPENDENT_CODE=ON', '-DBUILD_SHARED_LIBS=ON'], { stdio: 'pipe' });
    const cold = ninja(build);
    assert.equal(cold.code, 0, cold.err.slice(-4000));
    const compiles = ran(cold, 'cc:compile-exact');
    assert.ok(compiles.length > 20, `compiles ran: ${compiles.length}`);
    assert.ok(compiles.some((l) => l.includes('-std=')), 'C++ compiles with their -std= flag');
    // Every link edge the build needed (executables and shared libraries; gtest_main and gmock_main are not) ran as a
    // cc:link, with g++.
    const linked = readFileSync(join(build, 'build.ninja'), 'utf8').split('\n').map((l) => /^build ([^:]+): CXX_(EXECUTABLE|SHARED_LIBRARY)_LINKER__/.exec(l)?.[1]).filter((o) => o !== undefined && existsSync(join(build, o)));
    const links = ran(cold, 'cc:link?');
    assert.equal(links.length, linked.length, links.join('\n'));
    assert.ok(linked.length > 20, `${linked.length} links`);
    assert.ok(links.every((l) => l.includes('driver=g++')));
    assert.ok(ran(cold, 'ninja:command').every((l) => !/ -o (bin|lib)\//.test(l)), 'no link ran as a command');
    for (const f of ['libfmt.so.9.1.0', 'libfmt.so', 'lib/libgtest.so.1.12.1', 'bin/format-test', 'bin/posix-mock-test']) assert.ok(existsSync(join(build, f)), `${f} built`);

    // fmt's own test suite, on what nomia built.
    const ctest = execFileSync('ctest', ['-j2', '--output-on-failure'], { cwd: build, encoding: 'utf8' });
    assert.match(ctest, /100% tests passed, 0 tests failed out of [1-9]\d*/);

    const noop = ninja(build);
    assert.equal(noop.code, 0, noop.err.slice(-3000));
    assert.deepEqual([...ran(noop, 'cc:'), ...ran(noop, 'ninja:command')], []);

    // A comment appended to one test's .cc: that compile, and no link (the object comes out the same). The one compile
    // that runs as a command (posix-mock-test.cc includes ../src/os.cc) reads the whole source tree, so it reruns too.
    appendFileSync(join(source, 'test/args-test.cc'), '// a comment\n');
    const comment = ninja(build);
    assert.equal(comment.code, 0, comment.err.slice(-3000));
    assert.deepEqual(ran(comment, 'cc:compile-exact').map((l) => /headers=\[[^\]]*\]/.test(l)), [true]);
    assert.deepEqual(ran(comment, 'cc:link'), []);
    assert.deepEqual(ran(comment, 'ninja:command').map((l) => l.includes('posix-mock-test.cc')), [true]);

    // A comment in a header some modules read: exactly the compiles whose header list names it, as the cold build found them.
    const readers = compiles.filter((l) => /"\d+\/fmt\/ranges\.h"/.test(l)).length;
    assert.ok(readers > 0 && readers < compiles.length / 2, `modules reading fmt/ranges.h: ${readers}`);
    appendFileSync(join(source, 'include/fmt/ranges.h'), '// a comment\n');
    const header = ninja(build);
    assert.equal(header.code, 0, header.err.slice(-3000));
    const rerun = ran(header, 'cc:compile-exact');
    assert.equal(rerun.length, readers, rerun.join('\n'));
    assert.ok(rerun.every((l) => /"\d+\/fmt\/ranges\.h"/.test(l)), 'only modules that read the header');
    assert.deepEqual(ran(header, 'cc:link'), []);
  });
});
