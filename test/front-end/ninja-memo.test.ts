/**
 * `nomia ninja` answered from the memo (front-end/ninja-memo.ts), driven
 * through the real CLI on a small CMake project: a no-op is answered without
 * running or walking any edge, and the answer is never stale — after a
 * memo answer, a changed source, a changed header, a changed build.ninja
 * (reconfigured), an include directory created, and an output deleted or
 * changed in the build directory each rebuild or rewrite what they must.
 * The build directory is an include directory too (as for configured
 * headers): the outputs written into it do not stop the memo answering.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { bin, distSrc, env, nomia, tempDir } from '../support/cli.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-memo');
const store = join(dir, 'store');
const src = join(dir, 'tiny');
const build = join(dir, 'build');
let toolchain = '';

interface Build {
  /** Labels of the nodes that ran. */
  readonly ran: readonly string[];
  /** The done event said the memo answered. */
  readonly memo: boolean;
  readonly summary: string;
}

function ninja(format: 'json' | 'plain' = 'json'): Build {
  const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', format], { cwd: dir });
  assert.equal(r.code, 0, r.err.slice(-3000));
  const ran: string[] = [];
  let memo = false;
  for (const line of r.err.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { kind: string; label?: string; memo?: boolean };
    if (e.kind === 'realizing' && e.label) ran.push(e.label);
    if (e.kind === 'done') memo = e.memo === true;
  }
  return { ran, memo, summary: r.err.split('\n').find((l) => l.startsWith('ninja: ')) ?? '' };
}

/**
 * Whether the lean path (cli/ninja-lean.ts, before commander loads) answers `nomia ninja` now, called
 * directly in a process of its own: its exit status is 0 when it answered, 3 when it left the command to
 * the full one.
 */
function leanAnswers(): boolean {
  const script = `import(${JSON.stringify(join(distSrc, 'cli/ninja-lean.js'))}).then((m) => { process.exitCode = 'status' in m.ninjaFromMemoLean(${JSON.stringify(['--store', store, 'ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'json'])}) ? 0 : 3; })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: env(), encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 3, r.stderr);
  return r.status === 0;
}

/** What the built program prints. */
const hello = () => execFileSync(join(build, 'hello'), { encoding: 'utf8' });

function configure(...args: string[]): void {
  execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja', ...args], { stdio: 'pipe' });
}

/**
 * Wait past the second of the last write: a memo whose files were written in
 * the second it was kept is racy and never answers (store/stat-cache.ts), and
 * a build that reuses everything can finish within that second.
 */
function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1100);
}

/** A no-op now is answered from the memo, and compiles nothing. */
function answeredFromMemo(what: string): void {
  const b = ninja();
  assert.ok(b.memo, `${what}: answered from the memo`);
  assert.deepEqual(b.ran, [], `${what}: nothing ran`);
}

function ready(t: TestContext): boolean {
  return cmakeReady(t, toolchain);
}

describe('nomia ninja answered from the memo', () => {
  // The store holds a whole toolchain: not left behind.
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    if (!hasCmakeTools()) return;
    toolchain = realizeCmakeToolchain(store, dir);
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(tiny C)\ninclude_directories(${CMAKE_SOURCE_DIR}/gen ${CMAKE_BINARY_DIR})\nadd_executable(hello main.c greet.c)\n');
    writeFileSync(join(src, 'greet.h'), '#define GREETING "hello"\nvoid greet(void);\n');
    writeFileSync(join(src, 'greet.c'), '#include <stdio.h>\n#include "greet.h"\nvoid greet(void) { puts(GREETING); }\n');
    writeFileSync(join(src, 'main.c'), '#include <stdio.h>\n#include "greet.h"\n#if __has_include("extra.h")\n#include "extra.h"\n#endif\nint main(void) {\n  greet();\n#ifdef EXTRA\n  puts(EXTRA);\n#endif\n#ifdef GENERATED\n  puts(GENERATED);\n#endif\n  return 0;\n}\n');
  });

  test('a no-op is answered from the memo; after one, sources, headers, build.ninja and outputs are never stale', (t) => {
    if (!ready(t)) return;
    configure();
    const cold = ninja();
    assert.ok(!cold.memo && cold.ran.some((l) => l.startsWith('cc:compile')), 'the first build compiles');
    assert.equal(hello(), 'hello\n');
    // The first no-op may still walk (a file written in the second the build read it is racy); once that
    // second has passed, the no-op after it keeps a memo that holds.
    settle();
    ninja();
    answeredFromMemo('no-op');
    const plain = ninja('plain');
    assert.match(plain.summary, /answered from the memo\); 0 files written, \d+ up to date/);
    // The no-op is the lean path's; the full command, given an option spelling the lean path leaves to it
    // (`-j2`), answers it alike.
    assert.ok(leanAnswers(), 'the lean path answers a no-op');
    const full = nomia(store, ['ninja', '-C', build, '-j2', '--toolchain', toolchain, '--log-format', 'plain'], { cwd: dir });
    assert.equal(full.code, 0, full.err);
    assert.equal(full.err.split('\n').find((l) => l.startsWith('ninja: ')), plain.summary);

    // A source changed: its module compiles again, the program is relinked.
    writeFileSync(join(src, 'greet.c'), '#include <stdio.h>\n#include "greet.h"\nvoid greet(void) { puts(GREETING ", world"); }\n');
    assert.ok(!leanAnswers(), 'the lean path leaves a changed source to the full command');
    const source = ninja();
    assert.ok(!source.memo && source.ran.some((l) => l.startsWith('cc:compile')), 'a changed source compiles');
    assert.equal(hello(), 'hello, world\n');
    settle();
    ninja();
    answeredFromMemo('after a source change');

    // A header changed: the modules that include it compile again.
    writeFileSync(join(src, 'greet.h'), '#define GREETING "hi"\nvoid greet(void);\n');
    assert.ok(!ninja().memo, 'a changed header is not answered from the memo');
    assert.equal(hello(), 'hi, world\n');
    settle();
    ninja();
    answeredFromMemo('after a header change');

    // build.ninja changed (reconfigured with another flag), nothing else.
    configure('-DCMAKE_C_FLAGS=-DEXTRA=\\"flag\\"');
    assert.ok(!ninja().memo, 'a reconfigured build is not answered from the memo');
    assert.equal(hello(), 'hi, world\nflag\n');
    settle();
    ninja();
    answeredFromMemo('after reconfiguring');

    // An include directory CMake names that did not exist is created, with a header a module includes.
    mkdirSync(join(src, 'gen'));
    writeFileSync(join(src, 'gen', 'extra.h'), '#define GENERATED "generated"\n');
    assert.ok(!ninja().memo, 'a created include directory is not answered from the memo');
    assert.equal(hello(), 'hi, world\nflag\ngenerated\n');
    settle();
    ninja();
    answeredFromMemo('after an include directory was created');

    // Outputs deleted or changed in the build directory are written again from the memo's answer.
    rmSync(join(build, 'hello'));
    writeFileSync(join(build, 'CMakeFiles', 'hello.dir', 'main.c.o'), 'clobbered');
    const rewritten = ninja('plain');
    assert.match(rewritten.summary, /answered from the memo\); 2 files written/);
    assert.equal(hello(), 'hi, world\nflag\ngenerated\n');
    assert.notEqual(readFileSync(join(build, 'CMakeFiles', 'hello.dir', 'main.c.o'), 'utf8'), 'clobbered');
    assert.match(ninja('plain').summary, /answered from the memo\); 0 files written/);
  });

  // The lean path's miss is passed on (engine/memo.ts, `MemoMiss`): before, the full command and the
  // engine each checked the memo again, every dependency statted three times (docs/namespaces/ninja.md,
  // "The fixed cost of one run").
  test('a changed source: the memo is checked once, its dependencies statted once more than without a memo', (t) => {
    if (!ready(t) || !requireTool(t, 'strace', 'strace')) return;
    configure();
    ninja();
    settle();
    ninja();
    answeredFromMemo('before the change');
    const greet = join(src, 'greet.c');
    const statsOfGreet = (...extra: string[]) => {
      const trace = join(dir, 'trace');
      const r = spawnSync('strace', ['-f', '-e', 'trace=stat,lstat,newfstatat,statx', '-o', trace, process.execPath, bin, '--store', store, 'ninja', '-C', build, '--toolchain', toolchain, ...extra], { cwd: dir, env: env(), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes(`"${greet}"`)).length;
    };
    // Without a memo (none checked, none kept): what the build itself stats.
    writeFileSync(greet, '#include <stdio.h>\n#include "greet.h"\nvoid greet(void) { puts(GREETING ", there"); }\n');
    const without = statsOfGreet('--no-memo');
    writeFileSync(greet, '#include <stdio.h>\n#include "greet.h"\nvoid greet(void) { puts(GREETING ", again"); }\n');
    const withMemo = statsOfGreet();
    assert.equal(withMemo - without, 1, `greet.c statted ${withMemo} times with the memo, ${without} without`);
    assert.match(hello(), /again/);
  });
});
