/**
 * `nomia ninja` on a real CMake project (issue 17): json-c from its Debian
 * source, configured with CMake on the host, built through the front-end
 * in the sandbox with a `deb:closure` toolchain; its own test suite passes,
 * the outputs are those the real ninja builds, links are `cc:link`, a
 * comment in one `.c` file reruns only that module's compiles, a real
 * change reaches the archive and the link, and a copy of the sources at
 * another path compiles nothing and does not relink the library.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { jsonCFixture } from '../support/json-c.js';
import { oneRunCompiles } from '../support/one-run.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-json-c');
const store = join(dir, 'store');
let toolchain = '';
let source = '';

interface Build {
  readonly code: number | null;
  readonly err: string;
  /** Labels of the nodes that ran, and the exact names compiled in one run (support/one-run.ts). */
  readonly ran: readonly string[];
  readonly done?: { readonly ran: number; readonly reused: number };
}

function ninja(build: string, ...targets: string[]): Build {
  const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'json', ...targets], { cwd: dir });
  return events(r.code, r.err);
}

/** The nodes that ran and the done event, from the JSON lines in `text`. */
function events(code: number | null, text: string): Build {
  const ran: string[] = [];
  let done: Build['done'];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { kind: string; label?: string; ran?: number; reused?: number };
    if (e.kind === 'realizing' && e.label) ran.push(e.label);
    if (e.kind === 'done') done = { ran: e.ran!, reused: e.reused! };
  }
  ran.push(...oneRunCompiles(text));
  return { code, err: text, ran, ...(done ? { done } : {}) };
}

const count = (b: Build, prefix: string) => b.ran.filter((l) => l.startsWith(prefix)).length;

function configure(src: string, build: string, ...args: string[]): void {
  execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja', ...args], { stdio: 'pipe' });
}

function ready(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'cmake', 'cmake') && requireTool(t, 'ninja', 'ninja-build') && toolchain !== '';
}

describe('nomia ninja on json-c', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap') || !hasTool('cmake')) return;
    ({ toolchain, source } = jsonCFixture(store, dir));
  });

  test('builds what ninja builds, ctest passes, a comment reruns one module, a copy elsewhere built by cmake --build compiles nothing and its test target passes', (t) => {
    if (!ready(t)) return;
    const build = join(dir, 'build');
    configure(source, build);
    const cold = ninja(build);
    assert.equal(cold.code, 0, cold.err.slice(-3000));
    assert.ok(count(cold, 'cc:compile-exact') > 40, `compiles ran: ${count(cold, 'cc:compile-exact')}`);
    assert.equal(count(cold, 'cc:archive'), 1);
    // Every link (the library and each program) is a cc:link, the version script an input by content.
    const linkEdges = readFileSync(join(build, 'build.ninja'), 'utf8').split('\n').filter((l) => /^build [^:]+: C_(EXECUTABLE|SHARED_LIBRARY)_LINKER__/.test(l));
    assert.equal(count(cold, 'cc:link?'), linkEdges.length);
    assert.match(cold.ran.find((l) => l.includes('name=libjson-c.so.5.2.0')) ?? '', /"-Wl,--version-script,\{\d+\}"/);
    assert.ok(cold.done && cold.done.ran > 0, 'a done event ends the log');

    // The same outputs as the real ninja's, in the same places.
    const peer = join(dir, 'peer-build');
    configure(source, peer);
    execFileSync('ninja', ['-C', peer], { stdio: 'pipe' });
    for (const f of ['libjson-c.a', 'libjson-c.so.5.2.0', 'tests/test1', 'tests/test_parse', 'apps/json_parse']) {
      assert.ok(existsSync(join(build, f)), `${f} built`);
      assert.equal(lstatSync(join(build, f)).mode & 0o111, lstatSync(join(peer, f)).mode & 0o111, `${f} executable as ninja's`);
    }
    for (const l of ['libjson-c.so', 'libjson-c.so.5']) assert.equal(readlinkSync(join(build, l)), readlinkSync(join(peer, l)));
    const symbols = (f: string) => execFileSync('nm', ['-D', '--defined-only', f], { encoding: 'utf8' });
    assert.equal(symbols(join(build, 'libjson-c.so.5.2.0')), symbols(join(peer, 'libjson-c.so.5.2.0')));
    assert.equal(execFileSync('ar', ['t', join(build, 'libjson-c.a')], { encoding: 'utf8' }), execFileSync('ar', ['t', join(peer, 'libjson-c.a')], { encoding: 'utf8' }));

    // json-c's own test suite, on what nomia built.
    const ctest = execFileSync('ctest', ['-j2', '--output-on-failure'], { cwd: build, encoding: 'utf8' });
    assert.match(ctest, /100% tests passed, 0 tests failed out of 23/);

    // Nothing changed: nothing compiles, nothing links.
    const noop = ninja(build);
    assert.equal(noop.code, 0, noop.err.slice(-3000));
    assert.equal(count(noop, 'cc:'), 0, noop.ran.filter((l) => l.startsWith('cc:')).join('\n'));
    assert.equal(count(noop, 'ninja:command'), 0);

    // A comment appended to one .c: its compiles (json-c builds each module twice, for the shared and the static
    // library) and no archive, no link: the objects come out byte-identical (early cutoff).
    appendFileSync(join(source, 'arraylist.c'), '/* a comment */\n');
    const comment = ninja(build);
    assert.equal(comment.code, 0, comment.err.slice(-3000));
    assert.equal(count(comment, 'cc:compile-exact'), 2, comment.ran.join('\n'));
    assert.equal(count(comment, 'cc:archive'), 0);
    assert.equal(count(comment, 'cc:link'), 0, 'no link');
    assert.equal(count(comment, 'ninja:command'), 0);

    // A real change: the same two compiles, the archive and the library's link; the new function is in both libraries.
    appendFileSync(join(source, 'arraylist.c'), 'int json_c_nomia_probe(void);\nint json_c_nomia_probe(void) { return 42; }\n');
    const change = ninja(build);
    assert.equal(change.code, 0, change.err.slice(-3000));
    assert.equal(count(change, 'cc:compile-exact'), 2, change.ran.join('\n'));
    assert.equal(count(change, 'cc:archive'), 1);
    assert.equal(change.ran.filter((l) => l.startsWith('cc:link') && l.includes('name=libjson-c.so.5.2.0')).length, 1);
    // The version script keeps the new function local: the library's interface is the same, so no program that
    // links against it is linked again (docs/namespaces/cc.md, "Linking against a library's interface").
    assert.equal(count(change, 'cc:link-interface'), 0, change.ran.filter((l) => l.startsWith('cc:link-interface')).join('\n'));
    assert.match(execFileSync('nm', [join(build, 'libjson-c.a')], { encoding: 'utf8' }), / T json_c_nomia_probe$/m);
    assert.match(execFileSync('nm', [join(build, 'libjson-c.so.5.2.0')], { encoding: 'utf8' }), / t json_c_nomia_probe$/m);

    // The same sources at another path, configured there with nomia ninja as CMake's make program (CMake asks
    // it for its version) and built by `cmake --build`: no compile.
    const copy = join(dir, 'elsewhere', 'json-c-copy');
    cpSync(source, copy, { recursive: true });
    const copyBuild = join(dir, 'elsewhere', 'build-2');
    const wrapper = join(dir, 'nomia-ninja');
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${bin}' --store '${store}' ninja --toolchain '${toolchain}' --log-format json "$@"\n`, { mode: 0o755 });
    configure(copy, copyBuild, `-DCMAKE_MAKE_PROGRAM=${wrapper}`);
    const cmake = spawnSync('cmake', ['--build', copyBuild], { cwd: dir, encoding: 'utf8', env: env() });
    const again = events(cmake.status, `${cmake.stdout}\n${cmake.stderr}`);
    assert.equal(again.code, 0, again.err.slice(-3000));
    assert.equal(count(again, 'cc:compile-exact'), 0, again.ran.filter((l) => l.startsWith('cc:')).join('\n'));
    // The library's link has no run path and takes its version script by content: the same name, not linked again.
    // The programs' links carry the build directory as their run path (docs/namespaces/ninja.md), so they run.
    assert.deepEqual(again.ran.filter((l) => l.includes('name=libjson-c.so.5.2.0')), []);
    assert.ok(count(again, 'cc:link') > 0);
    assert.ok(existsSync(join(copyBuild, 'libjson-c.so.5.2.0')));

    // `cmake --build --target test` runs ctest through nomia ninja (front-end/effects.ts), on what it built there.
    const tests = spawnSync('cmake', ['--build', copyBuild, '--target', 'test'], { cwd: dir, encoding: 'utf8', env: env() });
    assert.equal(tests.status, 0, `${tests.stdout.slice(-2000)}\n${tests.stderr.slice(-2000)}`);
    assert.match(tests.stdout, /100% tests passed, 0 tests failed out of 23/);
  });
});
