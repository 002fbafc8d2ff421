/**
 * ninja's tools through `nomia ninja -t` (front-end/ninja-tools.ts), each
 * compared byte for byte with the real ninja's answer on the same CMake
 * build directory: `targets` (by depth, all, by rule), `query`, `commands`,
 * `inputs`, `graph` (but for ninja's memory addresses), `compdb`, and `clean` (the same files removed, the same count printed).
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
    ['compdb'], ['inputs'], ['inputs', 'prog'], ['inputs', 'gen', 'libutil.a'],
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
    const other = nomia(store, ['ninja', '-C', build, '-t', 'rules']);
    assert.notEqual(other.code, 0);
    assert.match(other.err, /error\[usage\]: -t rules: nomia ninja has no such tool/);
    // ninja's deps log is not kept: refused with why, not as an unknown tool.
    const deps = nomia(store, ['ninja', '-C', build, '-t', 'deps']);
    assert.notEqual(deps.code, 0, deps.err);
    assert.match(deps.err, /error\[usage\]: -t deps: not answered by nomia ninja: nomia ninja keeps no deps log \(\.ninja_deps\)/);
  });

  // ninja names nodes by their addresses in memory, which differ on every run: compared with the ids
  // numbered in the order each file first names them.
  const byFirstUse = (dot: string) => {
    const ids = new Map<string, string>();
    return dot.replace(/"0x[0-9a-f]+"/g, (m) => ids.get(m) ?? (ids.set(m, `"n${ids.size}"`), ids.get(m)!));
  };
  for (const args of [[], ['prog'], ['gen', 'libutil.a']]) {
    test(`-t graph ${args.join(' ')} prints ninja's dot file, but for the nodes' addresses`, (t) => {
      if (!ready(t)) return;
      const real = ninja(build, ['-t', 'graph', ...args]);
      assert.equal(real.code, 0);
      const r = nomia(store, ['ninja', '-C', build, '-t', 'graph', ...args]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^digraph ninja \{\n/);
      assert.equal(byFirstUse(r.out), byFirstUse(real.out));
      assert.equal(nomia(store, ['ninja', '-C', build, '-t', 'graph', ...args]).out, r.out, 'the same file every time');
    });
  }

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
