/**
 * Where no package database exists (simulated by pointing dpkg's
 * `DPKG_ADMINDIR` at an empty directory), `nomia ninja` falls back to
 * `deb:host-files`: the host's tools and the files they need copied into a
 * tree by content, used as the sandbox root, with a warning that it is not
 * a package closure (issue 17). A small CMake project builds and runs, a
 * second build compiles nothing, and a changed tool binary changes the
 * tree (so every spelling that takes it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultToolchain } from '../../src/front-end/toolchain.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('deb-host-files');
const store = join(dir, 'store');
const noDpkg = join(dir, 'no-dpkg');
mkdirSync(noDpkg);
const env = { DPKG_ADMINDIR: noDpkg };

interface Event { readonly kind: string; readonly label?: string; readonly type?: string; readonly message?: string }

function ninja(build: string, ...extra: string[]): { code: number | null; err: string; events: Event[] } {
  const r = nomia(store, ['ninja', '-C', build, '--log-format', 'json', ...extra], { cwd: dir, env });
  return { code: r.code, err: r.err, events: r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event) };
}

const ran = (events: readonly Event[], prefix: string) => events.filter((e) => e.kind === 'realizing' && e.label?.startsWith(prefix)).length;

/** Compiles that ran: exact compiles of their own, and those a `cc:compile` did in one run (support/one-run.ts). */
const compiles = (b: { events: readonly Event[]; err: string }) => ran(b.events, 'cc:compile-exact') + oneRunCompiles(b.err).length;

describe('deb:host-files, the toolchain without a package database', () => {
  test('the default toolchain is deb:host-files when dpkg\'s status file is absent, deb:host when it is there', () => {
    const manifest = parseManifest('rule cc\n  command = /usr/bin/cc -c $in -o $out\nbuild a.o: cc a.c\n', 'build.ninja', () => '');
    assert.equal(defaultToolchain(manifest, env), 'deb:host-files?paths=[/usr/bin/gcc]');
    const status = join(dir, 'dpkg');
    mkdirSync(status, { recursive: true });
    writeFileSync(join(status, 'status'), '');
    assert.equal(defaultToolchain(manifest, { DPKG_ADMINDIR: status }), 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]');
  });

  test('deb:host reads dpkg\'s database where DPKG_ADMINDIR says', (t) => {
    if (!requireTool(t, 'gcc', 'gcc')) return;
    const r = nomia(store, ['realize', 'deb:host?paths=[/usr/bin/gcc]'], { cwd: dir, env });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /deb\/not-installed/);
    assert.ok(r.err.includes(join(noDpkg, 'status')), r.err);
    assert.match(r.err, /deb:host-files/);
  });

  test('a path that does not exist is deb/not-installed, naming it', () => {
    const r = nomia(store, ['realize', 'deb:host-files?paths=[/nonexistent/bin/gcc]'], { cwd: dir, env });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /deb\/not-installed/);
    assert.match(r.err, /\/nonexistent\/bin\/gcc does not exist on this host/);
  });

  test('nomia ninja builds a CMake project with the host\'s files as the sandbox root, says so, and a second build compiles nothing', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'gcc', 'gcc')) return;
    const src = join(dir, 'tiny');
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.13)\nproject(tiny C)\nadd_library(util STATIC util.c)\nadd_executable(prog main.c)\ntarget_link_libraries(prog util m)\n');
    writeFileSync(join(src, 'util.h'), 'int twice(int x);\n');
    writeFileSync(join(src, 'util.c'), '#include "util.h"\nint twice(int x) { return 2 * x; }\n');
    writeFileSync(join(src, 'main.c'), '#include <math.h>\n#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice((int)sqrt(441.0))); return 0; }\n');
    const build = join(dir, 'tiny-build');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });

    const cold = ninja(build);
    assert.equal(cold.code, 0, cold.err.slice(-3000));
    const warnings = cold.events.filter((e) => e.kind === 'warning' && e.type === 'unpackaged-toolchain');
    assert.equal(warnings.length, 1, 'one warning that the toolchain is not a package closure');
    assert.match(warnings[0]!.message!, /no Debian package database/);
    assert.equal(ran(cold.events, 'deb:host-files'), 1);
    assert.equal(compiles(cold), 2);
    assert.equal(ran(cold.events, 'cc:archive'), 1);
    assert.equal(ran(cold.events, 'cc:link'), 1);
    assert.equal(execFileSync(join(build, 'prog'), { encoding: 'utf8' }), '42\n');

    // Nothing changed: nothing compiles, archives or links, with the memo or without it (the tree is a kept answer).
    for (const extra of [[], ['--no-memo']]) {
      const again = ninja(build, ...extra);
      assert.equal(again.code, 0, again.err.slice(-3000));
      assert.equal(ran(again.events, 'cc:'), 0, `${extra.join(' ')}: ${again.events.filter((e) => e.kind === 'realizing').map((e) => e.label).join('\n')}`);
    }
    // A real change compiles that module again.
    appendFileSync(join(src, 'util.c'), 'int thrice(int x) { return 3 * x; }\n');
    const change = ninja(build);
    assert.equal(change.code, 0, change.err.slice(-3000));
    assert.equal(compiles(change), 1);
  });

  test('a changed tool binary changes the tree, which holds its bytes', (t) => {
    if (!requireTool(t, 'gcc', 'gcc')) return;
    // A copy of the compiler driver under a name that is not a driver's, so that only it, /bin/sh and what they load are copied.
    const tools = join(dir, 'tools');
    mkdirSync(tools);
    const tool = join(tools, 'driver-copy');
    copyFileSync(realpathSync('/usr/bin/gcc'), tool);
    const realize = () => {
      const r = nomia(store, ['realize', `deb:host-files?paths=["${tool}"]`], { cwd: dir, env });
      assert.equal(r.code, 0, r.err);
      const [name, path] = r.out.split('\n');
      return { name: name!, path: path! };
    };
    const first = realize();
    assert.match(first.name, /^filesystem:by-content\?name=host-toolchain&sha256=/);
    assert.deepEqual(readFileSync(join(first.path, tool)), readFileSync(tool));
    assert.ok(existsSync(join(first.path, 'bin')), '/bin/sh is in the tree');
    assert.equal(realize().name, first.name, 'unchanged: the same tree');
    appendFileSync(tool, Buffer.from([0]));
    const changed = realize();
    assert.notEqual(changed.name, first.name);
    assert.deepEqual(readFileSync(join(changed.path, tool)), readFileSync(tool));
  });
});
