/**
 * The default toolchain takes the `-dev` packages a build reads (issue 17:
 * a project configured with pkg-config's `-isystem /usr/include/libpng16`
 * failed with `ninja/toolchain-missing-path`). Which paths a manifest
 * names; then, through the real CLI on the host's dpkg database and the
 * real archive, a CMake project that takes libpng through pkg-config
 * builds with no `--toolchain`, after a project without it whose default
 * toolchain the memo keeps under another key.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { defaultToolchain } from '../../src/front-end/toolchain.js';
import { usedToolchainPaths } from '../../src/front-end/toolchain-uses.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('toolchain-uses');
const noInclude = (p: string): string => assert.fail(`no include expected: ${p}`);
const store = join(dir, 'store');

/** The host's C library linker script (libc6-dev), a library file a link may name by path. */
const libc = () => normalize(execFileSync('gcc', ['-print-file-name=libc.so'], { encoding: 'utf8' }).trim());

describe('the toolchain paths a build reads', () => {
  test('-I, -isystem, -L directories and libraries by path, under /usr outside the project, not gcc\'s own, present', (t) => {
    if (!requireTool(t, 'gcc', 'gcc')) return;
    const lib = libc();
    assert.ok(existsSync('/usr/include/linux'), 'linux-libc-dev (with libc6-dev) gives /usr/include/linux');
    const layout = { srcDir: join(dir, 'proj'), buildDir: join(dir, 'proj', 'build') };
    const manifest = parseManifest([
      'rule cc',
      `  command = /usr/bin/gcc -I/usr/include/linux/ -isystem /usr/include/linux -I/usr/include -I${layout.srcDir}/inc -Irel -I/usr/include/no-such-dir -idirafter /usr/local/include -c $in -o $out`,
      'rule link',
      `  command = /usr/bin/gcc $in -o $out -L/usr/lib/x86_64-linux-gnu -L/usr/lib ${lib} ${layout.buildDir}/libown.so -lm`,
      'build a.o: cc a.c',
      'build a: link a.o',
      '',
    ].join('\n'), 'build.ninja', noInclude);
    assert.deepEqual(usedToolchainPaths(manifest, layout), ['/usr/include/linux', lib].sort());
  });

  test('they are the default toolchain\'s `uses`, so its name (the memo\'s key) changes with them', () => {
    const manifest = parseManifest('rule cc\n  command = /usr/bin/gcc -c $in -o $out\nbuild a.o: cc a.c\n', 'build.ninja', noInclude);
    const env = { DPKG_ADMINDIR: '/var/lib/dpkg' };
    if (!existsSync('/var/lib/dpkg/status')) return;
    assert.equal(defaultToolchain(manifest, env), 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]');
    assert.equal(defaultToolchain(manifest, env, ['/usr/include/libpng16']), 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]&uses=[/usr/include/libpng16]');
  });
});

function ready(t: TestContext): boolean {
  return [['cmake', 'cmake'], ['bwrap', 'bubblewrap'], ['dpkg-query', 'dpkg'], ['apt-get', 'apt'], ['pkg-config', 'pkgconf']].every(([tool, pkg]) => requireTool(t, tool!, pkg!))
    && (existsSync('/usr/include/libpng16/png.h') || (process.env['CI'] === 'true' ? assert.fail('libpng-dev is missing under CI=true: .ci/run must install it') : (t.skip('libpng-dev not installed'), false)));
}

/** A CMake project in `name/src` configured into `name/build`; the build directory. */
function project(name: string, cmake: string, main: string): string {
  const src = join(dir, name, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.10)\nproject(${name} C)\n${cmake}`);
  writeFileSync(join(src, 'main.c'), main);
  const build = join(dir, name, 'build');
  execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
  return build;
}

/** The toolchain line of the plan `nomia ninja --print-name` prints for `build`. */
function toolchainOf(build: string): string {
  const r = nomia(store, ['ninja', '-C', build, '--print-name'], { cwd: dir });
  assert.equal(r.code, 0, r.err.slice(-2000));
  const line = r.out.split('\n').find((l) => /^\s*tc = /.test(l));
  assert.ok(line, r.out);
  return line.trim();
}

describe('nomia ninja with the default toolchain, on a project configured against the host\'s libpng', () => {
  test('pkg-config\'s -isystem /usr/include/libpng16 and libpng16.so are in the sandbox; a project without them keeps its own toolchain', (t) => {
    if (!ready(t)) return;
    const plain = project('plain', 'add_executable(plain main.c)\n', 'int main(void) { return 0; }\n');
    const r0 = nomia(store, ['ninja', '-C', plain, '--log-format', 'plain'], { cwd: dir });
    assert.equal(r0.code, 0, r0.err.slice(-3000));

    const png = project('png', 'find_package(PkgConfig REQUIRED)\npkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)\nadd_executable(pngv main.c)\ntarget_link_libraries(pngv PkgConfig::PNG)\n',
      '#include <png.h>\n#include <stdio.h>\nint main(void) { printf("%s\\n", PNG_LIBPNG_VER_STRING); return 0; }\n');
    const r = nomia(store, ['ninja', '-C', png, '--log-format', 'plain'], { cwd: dir });
    assert.equal(r.code, 0, r.err.slice(-3000));
    assert.doesNotMatch(r.err, /toolchain-missing-path/);
    assert.match(r.err, /deb:host\?paths=\[[^\]]*\]&packages=\[libc6-dev\]&uses=\[\/usr\/include\/libpng16, /);
    const version = execFileSync('pkg-config', ['--modversion', 'libpng'], { encoding: 'utf8' }).trim();
    assert.equal(spawnSync(join(png, 'pngv'), { encoding: 'utf8' }).stdout, `${version}\n`, 'the headers the sandbox compiled with are the host\'s libpng version');

    // Each project's default toolchain is kept under its own key: the plain one has no libpng in it.
    const [plainTc, pngTc] = [toolchainOf(plain), toolchainOf(png)];
    assert.notEqual(plainTc, pngTc);
    const tree = (tc: string) => nomia(store, ['realize', tc.replace(/^tc = /, '').replace(/;$/, '')], { cwd: dir }).out.split('\n')[1] ?? '';
    const pngTree = tree(pngTc);
    assert.ok(existsSync(join(pngTree, 'usr/include/libpng16/png.h')), pngTree);
    assert.ok(!existsSync(join(tree(plainTc), 'usr/include/libpng16')));
  });
});
