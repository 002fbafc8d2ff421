/**
 * `nomia ninja` on a CMake project whose compile has a `-isystem` directory
 * of its own (`target_include_directories(… SYSTEM …)`) and a toolchain `-I`
 * directory after a project one (issue 17, docs/namespaces/ninja.md,
 * "System and mixed include directories"): the compile is a `cc:compile`
 * with a system tree and the toolchain directory as a tree, not a
 * `ninja:command`, and it builds what gcc builds (the system header's
 * warning silenced under -Werror, the search order kept). The toolchain is
 * the host's files (no package database: `DPKG_ADMINDIR` at an empty
 * directory), so nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-system-includes');
const store = join(dir, 'store');
const noDpkg = join(dir, 'no-dpkg');
mkdirSync(noDpkg);

interface Event { readonly kind: string; readonly label?: string }

function ninja(build: string): { events: Event[]; err: string } {
  const r = nomia(store, ['ninja', '-C', build, '--log-format', 'json'], { cwd: dir, env: { DPKG_ADMINDIR: noDpkg } });
  assert.equal(r.code, 0, r.err.slice(-3000));
  return { err: r.err, events: r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event) };
}

const ran = (events: readonly Event[], prefix: string) => events.filter((e) => e.kind === 'realizing' && e.label?.startsWith(prefix)).length;

describe('nomia ninja: system and mixed include directories', () => {
  test('an -isystem directory of the project and a toolchain -I after a project one compile as cc:compile, as gcc would', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'gcc', 'gcc')) return;
    const src = join(dir, 'proj');
    for (const d of ['inc', 'third']) mkdirSync(join(src, d), { recursive: true });
    writeFileSync(join(src, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.13)', 'project(sysinc C)', 'add_executable(prog main.c)',
      'target_include_directories(prog PRIVATE inc /usr/include/arpa)', 'target_include_directories(prog SYSTEM PRIVATE third)',
      'target_compile_options(prog PRIVATE -Wall -Werror)', '',
    ].join('\n'));
    writeFileSync(join(src, 'main.c'), '#include <stdio.h>\n#include "local.h"\n#include <third.h>\n#include <inet.h>\nint main(void) { printf("%d %d\\n", LOCAL + THIRD, INET_ADDRSTRLEN); return 0; }\n');
    writeFileSync(join(src, 'inc/local.h'), '#define LOCAL 40\n');
    // An unused static function: an error under -Wall -Werror unless the header is a system header.
    writeFileSync(join(src, 'third/third.h'), 'static int third_unused(void) { return 0; }\n#define THIRD 2\n');
    const build = join(dir, 'proj-build');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });

    const cold = ninja(build);
    assert.equal(ran(cold.events, 'ninja:command'), 0, 'no edge ran as a command');
    assert.equal(oneRunCompiles(cold.err).length, 1, 'the compile was a cc:compile, in one run');
    assert.match(cold.err, /\$ gcc .*-I\/include\/0 -I\/include\/1 -I\/include\/2 -isystem\/include\/3 /, 'the source\'s directory, inc, the toolchain\'s directory, then the system tree');
    assert.equal(execFileSync(join(build, 'prog'), { encoding: 'utf8' }), '42 16\n');
    const again = ninja(build);
    assert.equal(ran(again.events, 'cc:'), 0, 'a second build compiles nothing');
  });
});
