/**
 * `nomia ninja -d explain` (front-end/ninja-explain.ts) and `-d stats`
 * (cli/ninja-stats.ts) through the real CLI on a CMake project: the first
 * build says there is no record, an edit names the source that changed
 * and then the object that came out otherwise, a comment that leaves the
 * object as it was reruns only the compile; the stats table counts what
 * ran and what was reused. The edges explained are those the real ninja's
 * `-d explain` calls dirty in a twin build directory.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-explain');
const store = join(dir, 'store');
const src = join(dir, 'src');
const build = join(dir, 'build');
const twin = join(dir, 'twin');
let toolchain = '';

/** The `ninja explain:` lines of nomia's stderr, as `output: reason`, sorted. */
const explained = (err: string) => err.split('\n').filter((l) => l.startsWith('ninja explain: ')).map((l) => l.slice('ninja explain: '.length)).sort();

/** The outputs the real ninja's -d explain calls dirty (or older than an input), sorted. */
function ninjaDirty(): string[] {
  const r = spawnSync('ninja', ['-C', twin, '-d', 'explain'], { encoding: 'utf8' });
  const out = new Set<string>();
  for (const l of (r.stderr + r.stdout).split('\n')) {
    const m = /^ninja explain: (?:output )?(\S+) (?:is dirty|older than most recent input)/.exec(l);
    if (m && !m[1]!.includes('build.ninja')) out.add(m[1]!);
  }
  return [...out].sort();
}

function ready(t: TestContext): boolean {
  return cmakeReady(t, toolchain) && requireTool(t, 'ninja', 'ninja-build');
}

const run = (args: string[]) => nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'plain', ...args], { cwd: dir });

describe('nomia ninja -d explain and -d stats', () => {
  before(() => {
    if (!hasCmakeTools()) return;
    toolchain = realizeCmakeToolchain(store, dir);
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(why C)\nadd_library(util STATIC util.c)\nadd_executable(prog main.c)\ntarget_link_libraries(prog util)\n');
    writeFileSync(join(src, 'util.c'), 'int u(void) { return 0; }\n');
    writeFileSync(join(src, 'main.c'), 'int u(void);\nint main(void) { return u(); }\n');
    for (const b of [build, twin]) execFileSync('cmake', ['-S', src, '-B', b, '-G', 'Ninja'], { stdio: 'pipe' });
  });

  test('each edge that runs says why: no record, then the input whose content changed', (t) => {
    if (!ready(t)) return;
    const first = run(['-d', 'explain']);
    assert.equal(first.code, 0, first.err.slice(-2000));
    assert.deepEqual(explained(first.err), ['CMakeFiles/prog.dir/main.c.o', 'CMakeFiles/util.dir/util.c.o', 'libutil.a', 'prog'].map((o) => `${o}: no record: not built in this build directory before`));
    assert.equal(spawnSync('ninja', ['-C', twin], { encoding: 'utf8' }).status, 0);

    appendFileSync(join(src, 'main.c'), 'int unused(void) { return 1; }\n');
    const edited = run(['-d', 'explain', '-d', 'stats']);
    assert.equal(edited.code, 0, edited.err.slice(-2000));
    const lines = explained(edited.err);
    assert.deepEqual(lines.map((l) => l.split(': ')[0]), ninjaDirty(), edited.err);
    assert.match(lines[0]!, new RegExp(`^CMakeFiles/prog\\.dir/main\\.c\\.o: its inputs changed since the last build: filesystem:import\\?path=${join(src, 'main.c')} \\(filesystem:by-content\\?name=main\\.c&sha256=[0-9a-f]{12}…, was filesystem:by-content\\?name=main\\.c&sha256=[0-9a-f]{12}…\\)$`));
    assert.match(lines[1]!, /^prog: its inputs changed since the last build: CMakeFiles\/prog\.dir\/main\.c\.o \(filesystem:by-content\?name=main\.o&sha256=/);
    // ninja's Metrics::Report layout: a header, then one tab-separated row per metric.
    assert.match(edited.err, /^metric\s*\tcount \tavg \(us\) \ttotal \(ms\)$/m);
    assert.match(edited.err, /^cc:compile ran\s*\t1     \t[\d.]+\s*\t[\d.]+$/m);
    assert.match(edited.err, /^cc:compile reused\s*\t1     \t0\.0\s*\t0\.0$/m);

    // A comment: the compile runs (its source changed), the object is the same, nothing links.
    appendFileSync(join(src, 'main.c'), '/* a comment */\n');
    const comment = run(['-d', 'explain']);
    assert.equal(comment.code, 0, comment.err.slice(-2000));
    assert.deepEqual(explained(comment.err).map((l) => l.split(': ')[0]), ['CMakeFiles/prog.dir/main.c.o']);
  });
});
