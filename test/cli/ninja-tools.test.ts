/**
 * ninja's tools through `nomia ninja -t` (front-end/ninja-tools.ts), each
 * compared byte for byte with the real ninja's answer on the same CMake
 * build directory: `targets` (by depth, all, by rule), `query`, `commands`,
 * `compdb`, and `clean` (the same files removed, the same count printed).
 * None of them needs the store or a toolchain.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-tools');
const store = join(dir, 'store');
const src = join(dir, 'src');
const build = join(dir, 'build');

function ready(t: TestContext): boolean {
  return requireTool(t, 'cmake', 'cmake') && requireTool(t, 'ninja', 'ninja-build') && requireTool(t, 'gcc', 'gcc');
}

/** The real ninja's stdout and status in `cwd`. */
function ninja(cwd: string, args: string[]): { out: string; code: number | null } {
  const r = spawnSync('ninja', args, { cwd, encoding: 'utf8' });
  return { out: r.stdout, code: r.status };
}

/** Every path under `root`, sorted. */
function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(relative(root, join(d, e.name)));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(root);
  return out.sort();
}

describe('nomia ninja -t: ninja\'s tools, as the real ninja answers them', () => {
  before(() => {
    if (!hasTool('cmake') || !hasTool('ninja')) return;
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(tools C)\nadd_library(util STATIC util.c)\nadd_executable(prog main.c)\ntarget_link_libraries(prog util)\nadd_custom_command(OUTPUT gen.h COMMAND sh -c "echo \'#define G 1\' > gen.h" VERBATIM)\nadd_custom_target(gen DEPENDS gen.h)\n');
    writeFileSync(join(src, 'util.c'), 'int u(void) { return 0; }\n');
    writeFileSync(join(src, 'main.c'), 'int u(void);\nint main(void) { return u(); }\n');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
  });

  const cases = [
    ['targets'], ['targets', 'all'], ['targets', 'depth', '2'], ['targets', 'depth', '0'], ['targets', 'rule'], ['targets', 'rule', 'phony'],
    ['query', 'prog'], ['query', 'all', 'libutil.a', join(src, 'util.c')], ['commands'], ['commands', 'prog'], ['commands', 'gen'],
    ['compdb'],
  ];
  for (const args of cases) {
    test(`-t ${args.join(' ')} prints what ninja prints`, (t) => {
      if (!ready(t)) return;
      const real = ninja(build, ['-t', ...args]);
      assert.equal(real.code, 0);
      const r = nomia(store, ['ninja', '-C', build, '-t', ...args]);
      assert.equal(r.code, 0, r.err);
      assert.ok(r.out.length > 0);
      assert.equal(r.out, real.out);
    });
  }

  test('-t compdb RULE keeps the edges of that rule', (t) => {
    if (!ready(t)) return;
    const rule = ninja(build, ['-t', 'targets', 'all']).out.split('\n').find((l) => l.startsWith('CMakeFiles/prog.dir/main.c.o: '))!.split(': ')[1]!;
    const r = nomia(store, ['ninja', '-C', build, '-t', 'compdb', rule]);
    assert.equal(r.out, ninja(build, ['-t', 'compdb', rule]).out);
    assert.equal((JSON.parse(r.out) as unknown[]).length, 1);
  });

  test('an unknown target fails as ninja does; a tool not answered here is a usage error', (t) => {
    if (!ready(t)) return;
    assert.equal(ninja(build, ['-t', 'query', 'nosuch']).code, 1);
    const r = nomia(store, ['ninja', '-C', build, '-t', 'query', 'nosuch']);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[ninja\/unknown-target\]: unknown target 'nosuch'/);
    const graph = nomia(store, ['ninja', '-C', build, '-t', 'graph']);
    assert.notEqual(graph.code, 0);
    assert.match(graph.err, /error\[usage\]: -t graph: nomia ninja has no such tool/);
  });

  for (const targets of [[], ['libutil.a'], ['gen']]) {
    test(`-t clean ${targets.join(' ')} removes the files ninja's removes and says how many`, (t) => {
      if (!ready(t)) return;
      // Both clean the same build directory, built by the real ninja before each: CMake names some outputs
      // by their absolute path (`${cmake_ninja_workdir}gen.h`), so a copy's clean would reach the original.
      execFileSync('ninja', ['-C', build, 'all', 'gen'], { stdio: 'pipe' });
      const real = ninja(build, ['-t', 'clean', ...targets]);
      assert.match(real.out, /^Cleaning\.\.\. [1-9]\d* files\.\n$/);
      const theirs = files(build);
      execFileSync('ninja', ['-C', build, 'all', 'gen'], { stdio: 'pipe' });
      assert.notDeepEqual(files(build), theirs);
      const r = nomia(store, ['ninja', '-C', build, '-t', 'clean', ...targets]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, real.out);
      assert.deepEqual(files(build), theirs);
    });
  }
});
