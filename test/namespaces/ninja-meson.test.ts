/**
 * `nomia ninja` on a Meson project (issue 17): a small C project with a
 * static library, a program and a test, configured by the real `meson
 * setup` with its build directory inside the source directory and ccache
 * as the compiler launcher, and built by `meson compile` with `NINJA`
 * naming a `nomia ninja` wrapper. The program prints 42 and `meson test`
 * passes; a comment in one `.c` file reruns one compile and no link; a
 * copy of the project at another path, configured without the launcher,
 * runs nothing at all (the launcher is dropped, and the paths relative to
 * the build directory mean the same in the sandbox), and `nomia
 * compile-commands` on Meson's compile_commands.json compiles nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { bin, env, nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-meson');
const store = join(dir, 'store');
/**
 * Meson's archive edge runs gcc-ar, which is in gcc's package; its links run cc, which the front-end maps to gcc.
 * A shared library's symbol list is made by `/usr/bin/meson --internal symbolextractor`: meson too.
 */
const TOOLCHAIN = 'deb:closure?packages=[gcc, libc6-dev, meson]';
let wrapper = '';

const FILES: Record<string, string> = {
  'meson.build': "project('demo', 'c')\nlib = static_library('util', 'src/util.c', include_directories: 'inc')\nexe = executable('demo', 'src/main.c', link_with: lib, include_directories: 'inc')\ntest('demo', exe)\n",
  'src/util.c': '#include "util.h"\nint twice(int x){return 2*x;}\n',
  'inc/util.h': 'int twice(int);\n',
  'src/main.c': '#include <stdio.h>\n#include "util.h"\nint main(){printf("%d\\n",twice(21));return 0;}\n',
};

/**
 * pixman 0.42.2's layout, which failed before: a shared library in a subdirectory (its links take it through
 * Meson's symbol list, and name its directory in `-Wl,-rpath-link,<build>/lib`), linked with `libm` (which Meson
 * lists among the link's inputs by its toolchain path), a `.c` file that includes another `.c` file (a compile
 * run as a command with the whole source tree, the build directory inside it) and reads the `config.h` that
 * `meson setup` wrote into the build directory.
 */
const SHARED: Record<string, string> = {
  'meson.build': "project('shared', 'c')\nconf = configuration_data()\nconf.set('OFFSET', 2)\nconfigure_file(output: 'config.h', configuration: conf)\nsubdir('lib')\nexe = executable('prog', 'main.c', link_with: lib)\ntest('prog', exe)\n",
  'lib/meson.build': "m = meson.get_compiler('c').find_library('m')\nlib = shared_library('twice', 'twice-all.c', dependencies: m, include_directories: include_directories('..'))\n",
  'lib/twice-all.c': '#include "twice.c"\n',
  'lib/twice.c': '#include <config.h>\n#include <math.h>\nint twice(int x){return (int)fabs(2.0*x) + OFFSET;}\n',
  'main.c': '#include <stdio.h>\nint twice(int);\nint main(){printf("%d\\n",twice(20));return 0;}\n',
};

/** The labels of the nodes that ran, from `--log-format json` events. */
function ran(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string })
    .filter((e) => e.kind === 'realizing' && e.label).map((e) => e.label!).concat(oneRunCompiles(text));
}

const count = (labels: readonly string[], prefix: string) => labels.filter((l) => l.startsWith(prefix)).length;

/** Write the project at `root` and configure `root/build` with `cc` (CC as given: a launcher or none). */
function setup(root: string, cc: string, files: Record<string, string> = FILES): void {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  execFileSync('meson', ['setup', 'build'], { cwd: root, env: env({ CC: cc }), stdio: 'pipe' });
}

/** Run `meson SUBCOMMAND -C build` in `root` with NINJA naming the nomia wrapper; its output and what ran. */
function meson(root: string, sub: string): { out: string; ran: string[] } {
  const r = spawnSync('meson', [sub, '-C', 'build'], { cwd: root, env: env({ NINJA: wrapper }), encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`.slice(-3000));
  return { out: r.stdout, ran: ran(`${r.stdout}\n${r.stderr}`) };
}

function ready(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'meson', 'meson') && requireTool(t, 'ccache', 'ccache') && wrapper !== '';
}

describe('nomia ninja on a Meson project', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap') || !hasTool('meson') || !hasTool('ccache')) return;
    const tc = nomia(store, ['realize', TOOLCHAIN], { cwd: dir });
    assert.equal(tc.code, 0, tc.err);
    // What a user writes to make meson compile drive nomia ninja: meson runs $NINJA with -C and the targets.
    wrapper = join(dir, 'nomia-ninja');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${process.execPath} ${bin} --store ${store} ninja --toolchain '${tc.out.split('\n')[0]!}' --log-format json "$@"\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'nomia-db'), `#!/bin/sh\nexec ${process.execPath} ${bin} --store ${store} compile-commands -p ${join(dir, 'one', 'build')} --toolchain '${tc.out.split('\n')[0]!}' --log-format json\n`, { mode: 0o755 });
  });

  test('meson compile builds it through nomia ninja, meson test passes, a comment reruns one compile, a copy runs nothing', (t) => {
    if (!ready(t)) return;
    const first = join(dir, 'one');
    setup(first, 'ccache cc');
    assert.match(readFileSync(join(first, 'build', 'build.ninja'), 'utf8'), /command = ccache cc /, 'Meson wrote the launcher');

    const cold = meson(first, 'compile');
    assert.equal(count(cold.ran, 'cc:compile-exact'), 2, cold.ran.join('\n'));
    assert.equal(count(cold.ran, 'cc:archive'), 1, cold.ran.join('\n'));
    assert.equal(count(cold.ran, 'cc:link'), 1, 'the link');
    assert.ok(cold.ran.every((l) => !l.includes('ccache')), 'no name runs the launcher');
    assert.equal(execFileSync(join(first, 'build', 'demo'), { encoding: 'utf8' }), '42\n');
    const test1 = meson(first, 'test');
    assert.match(test1.out, /Ok:\s+1\b/);
    assert.match(test1.out, /Fail:\s+0\b/);

    appendFileSync(join(first, 'src', 'util.c'), '/* a comment */\n');
    const comment = meson(first, 'compile');
    assert.equal(count(comment.ran, 'cc:compile-exact'), 1, comment.ran.join('\n'));
    assert.equal(count(comment.ran, 'cc:archive'), 0, 'the object is the same: no archive');
    assert.equal(count(comment.ran, 'cc:link'), 0, 'and no link');

    // Another checkout at another path, configured without the launcher: the same names, so nothing runs.
    const second = join(dir, 'elsewhere', 'two');
    setup(second, 'cc');
    assert.match(readFileSync(join(second, 'build', 'build.ninja'), 'utf8'), /command = cc /, 'no launcher this time');
    const copy = meson(second, 'compile');
    assert.deepEqual(copy.ran.filter((l) => /^(cc|ninja:command)/.test(l)), [], 'no compile, archive or link');
    assert.ok(readFileSync(join(second, 'build', 'demo')).equals(readFileSync(join(first, 'build', 'demo'))), 'the same program');
    assert.equal(execFileSync(join(second, 'build', 'demo'), { encoding: 'utf8' }), '42\n');

    // Meson's compile_commands.json (its commands with the launcher) names the same compiles.
    const db = spawnSync(wrapper.replace(/nomia-ninja$/, 'nomia-db'), [], { env: env(), encoding: 'utf8' });
    assert.equal(db.status, 0, db.stderr.slice(-3000));
    assert.equal(count(ran(db.stderr), 'cc:compile-exact'), 0, ran(db.stderr).join('\n'));
  });

  test('a shared library, a .c file including a .c file and a config.h of the build directory: it builds, and meson test passes', (t) => {
    if (!ready(t)) return;
    const root = join(dir, 'shared');
    setup(root, 'cc', SHARED);
    const build = meson(root, 'compile');
    assert.equal(build.ran.filter((l) => l.startsWith('ninja:command?command="gcc') && l.includes(' -c ')).length, 1, `twice-all.c's compile ran as a command:\n${build.ran.join('\n')}`);
    assert.equal(execFileSync(join(root, 'build', 'prog'), { encoding: 'utf8' }), '42\n');
    const test1 = meson(root, 'test');
    assert.match(test1.out, /Ok:\s+1\b/);
    const again = meson(root, 'compile');
    assert.deepEqual(again.ran.filter((l) => /^(cc|ninja:command)/.test(l)), [], 'a second build runs nothing: no edge took the build directory as an input');

    // A copy at another path (issue 17): the program's link names `-Wl,-rpath-link,<build>/lib`, which leaves nothing
    // in the program and maps to the sandbox path; the compile run as a command finds what it read recorded.
    const copy = join(dir, 'elsewhere', 'shared');
    setup(copy, 'cc', SHARED);
    const second = meson(copy, 'compile');
    assert.deepEqual(second.ran.filter((l) => /^(cc|ninja:command)/.test(l)), [], 'nothing compiled or linked at the second path');
    assert.ok(readFileSync(join(copy, 'build', 'prog')).equals(readFileSync(join(root, 'build', 'prog'))), 'the same program');
    assert.equal(execFileSync(join(copy, 'build', 'prog'), { encoding: 'utf8' }), '42\n');
  });

  test('a build directory outside the source directory still runs at /build', (t) => {
    if (!ready(t)) return;
    const root = join(dir, 'outside');
    setup(root, 'cc');
    execFileSync('meson', ['setup', join(dir, 'outside-build')], { cwd: root, env: env({ CC: 'cc' }), stdio: 'pipe' });
    const r = spawnSync(wrapper, ['-C', join(dir, 'outside-build')], { env: env(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const names = ran(r.stderr);
    assert.ok(names.every((l) => !l.includes('&dir=')), names.join('\n'));
    assert.equal(execFileSync(join(dir, 'outside-build', 'demo'), { encoding: 'utf8' }), '42\n');
  });
});
