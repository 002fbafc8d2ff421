/**
 * `nomia ninja -n` and `-k N` through the real CLI, beside the real ninja
 * on a twin build directory of the same sources (configured apart, built
 * by ninja itself): the dry run lists the edges ninja's lists and writes
 * nothing; `-k 0` goes on past failures as ninja's does and says how many
 * failed, and what it built meanwhile is recorded.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-dry-run');
const store = join(dir, 'store');
let toolchain = '';

const events = (err: string): EngineEvent[] => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);

/** The real ninja in `build`: its status and output. */
function ninja(build: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync('ninja', ['-C', build, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/**
 * ninja -n's `[i/N] description` lines as how many and the sorted descriptions (the two order independent
 * edges differently). ninja may first re-run CMake (build.ninja as old as what it was generated from, to
 * its clock): a generator edge, which nomia ninja leaves to CMake, so not counted.
 */
function dryLines(out: string): { total: number; edges: string[] } {
  const edges = out.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l)).map((l) => l.replace(/^\[\d+\/\d+\] /, '')).filter((l) => !/^Re-running CMake/.test(l));
  return { total: edges.length, edges: edges.sort() };
}

/** A CMake project in `name/src`, configured twice: `name/build` for nomia ninja, `name/twin` for ninja. */
function project(name: string, files: Record<string, string>): { src: string; build: string; twin: string } {
  const src = join(dir, name, 'src');
  mkdirSync(src, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(src, f), text);
  const build = join(dir, name, 'build');
  const twin = join(dir, name, 'twin');
  for (const b of [build, twin]) execFileSync('cmake', ['-S', src, '-B', b, '-G', 'Ninja'], { stdio: 'pipe' });
  return { src, build, twin };
}

function ready(t: TestContext): boolean {
  return cmakeReady(t, toolchain) && requireTool(t, 'ninja', 'ninja-build');
}

describe('nomia ninja -n and -k, beside ninja', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    if (hasCmakeTools()) toolchain = realizeCmakeToolchain(store, dir);
  });

  test('-n lists the edges ninja -n lists, runs none and writes nothing; after a build, only what an edit reaches', (t) => {
    if (!ready(t)) return;
    const p = project('dry', {
      'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.10)\nproject(dry C)\nadd_library(util STATIC util.c)\nadd_executable(prog main.c)\ntarget_link_libraries(prog util)\n',
      'util.c': 'int u(void) { return 7; }\n',
      'main.c': 'int u(void);\nint main(void) { return u() - 7; }\n',
    });
    const before = readdirSync(p.build).sort();
    const dry = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '-n', '--log-format', 'json'], { cwd: dir });
    assert.equal(dry.code, 0, dry.err.slice(-2000));
    const twinDry = ninja(p.twin, ['-n']).out;
    const theirs = dryLines(twinDry);
    assert.equal(theirs.total, 4, twinDry);
    assert.deepEqual(dryLines(dry.out), theirs);
    const es = events(dry.err);
    assert.deepEqual(es.filter((e) => e.kind === 'realizing' && e.label.startsWith('cc:')), [], 'no compile, archive or link ran');
    assert.equal(es.filter((e) => e.kind === 'would-run').length, 4);
    const done = es.find((e) => e.kind === 'done');
    assert.ok(done && done.kind === 'done' && done.wouldRun === 4, JSON.stringify(done));
    assert.deepEqual(readdirSync(p.build).sort(), before, 'nothing written into the build directory');

    // Built (by each), nothing to do; then one .c edited: its compile and the link, as ninja says.
    assert.equal(nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain], { cwd: dir }).code, 0);
    assert.equal(ninja(p.twin, []).code, 0);
    const none = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '-n', '--log-format', 'plain'], { cwd: dir });
    assert.equal(none.out, 'ninja: no work to do.\n');
    assert.match(ninja(p.twin, ['-n']).out, /ninja: no work to do\./);
    appendFileSync(join(p.src, 'main.c'), 'int unused(void) { return 1; }\n');
    const edited = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '-n', '--log-format', 'plain'], { cwd: dir });
    assert.deepEqual(dryLines(edited.out), dryLines(ninja(p.twin, ['-n']).out));
    assert.deepEqual(dryLines(edited.out).edges, ['Building C object CMakeFiles/prog.dir/main.c.o', 'Linking C executable prog']);
    assert.match(edited.err, /^ninja: dry run: would run 1 of 2 compiles, 0 of 1 archives, 1 of 1 links, 0 of 0 commands; nothing ran, nothing written$/m);
    // The dry run left the build to the build: it compiles now.
    const built = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '--log-format', 'plain'], { cwd: dir });
    assert.match(built.err, /^ninja: ran 1 of 2 compiles, /m);
  });

  test('-k 0 goes on past failures as ninja -k 0 does, says how many failed, and keeps what it built', (t) => {
    if (!ready(t)) return;
    const p = project('keep', {
      'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.10)\nproject(keep C)\nadd_executable(p1 a.c bad1.c)\nadd_executable(p2 b.c bad2.c)\nadd_executable(fine fine.c)\n',
      'a.c': 'int x1(void);\nint main(void) { return x1(); }\n',
      'b.c': 'int x2(void);\nint main(void) { return x2(); }\n',
      'bad1.c': 'int x1(void) { return }\n',
      'bad2.c': 'int x2(void) { return }\n',
      'fine.c': 'int main(void) { return 0; }\n',
    });
    const theirs = ninja(p.twin, ['-k', '0']);
    assert.equal(theirs.code, 1);
    assert.equal(theirs.out.match(/^FAILED: /gm)?.length, 2);
    assert.ok(existsSync(join(p.twin, 'fine')));

    const r = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '--log-format', 'plain', '-k', '0'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.err, /^ninja: build stopped: 2 edges failed, the first one below$/m);
    assert.match(r.err, /error\[build\/failed\]/);
    // What needs no failed edge was built and recorded: the dry run of `fine` has nothing to do.
    assert.match(r.err, /^ready {5}cc:link\?[^\n]*&name=fine /m);
    const fine = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '-n', 'fine'], { cwd: dir });
    assert.equal(fine.out, 'ninja: no work to do.\n', fine.err);

    // Without -k the first failure stops it (failures are never recorded: both compiles run again).
    const stop = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '--log-format', 'plain', '-j', '1'], { cwd: dir });
    assert.equal(stop.code, 1);
    assert.match(stop.err, /^ninja: build stopped: 1 edge failed$/m);

    const bad = nomia(store, ['ninja', '-C', p.build, '-k', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /-k x: give a number of failures, 0 for no limit/);
  });

  test('a failed build leaves the outputs of the edges that succeeded in the build directory, as ninja does; fixed, only the bad one compiles', (t) => {
    if (!ready(t)) return;
    const p = project('kept', {
      'CMakeLists.txt': 'cmake_minimum_required(VERSION 3.10)\nproject(kept C)\nadd_executable(p1 a.c bad.c)\nadd_executable(fine fine.c)\n',
      'a.c': 'int x1(void);\nint main(void) { return x1(); }\n',
      'bad.c': 'int x1(void) { return }\n',
      'fine.c': 'int main(void) { return 0; }\n',
    });
    assert.equal(ninja(p.twin, ['-k', '0']).code, 1);
    const r = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '--log-format', 'plain', '-k', '0'], { cwd: dir });
    assert.equal(r.code, 1, r.err.slice(-2000));
    const made = (b: string) => ['fine', 'p1', 'CMakeFiles/p1.dir/a.c.o', 'CMakeFiles/p1.dir/bad.c.o', 'CMakeFiles/fine.dir/fine.c.o'].filter((f) => existsSync(join(b, f)));
    assert.deepEqual(made(p.build), made(p.twin));
    assert.deepEqual(made(p.build), ['fine', 'CMakeFiles/p1.dir/a.c.o', 'CMakeFiles/fine.dir/fine.c.o']);
    assert.equal(spawnSync(join(p.build, 'fine')).status, 0, 'the program written is the one built');

    writeFileSync(join(p.src, 'bad.c'), 'int x1(void) { return 0; }\n');
    const fixed = nomia(store, ['ninja', '-C', p.build, '--toolchain', toolchain, '--log-format', 'plain'], { cwd: dir });
    assert.equal(fixed.code, 0, fixed.err.slice(-2000));
    assert.match(fixed.err, /^ninja: ran 1 of 3 compiles, 0 of 0 archives, 1 of 2 links, 0 of 0 commands; 2 files written, 3 up to date$/m);
    assert.equal(spawnSync(join(p.build, 'p1')).status, 0);
  });
});
