/**
 * A compile that fails under `nomia ninja` is told in the build's terms
 * (front-end/edge-failure.ts): the error names the object it was building
 * in the build directory and the source it came from (its messages say
 * `/src/<file>`, the sandbox's path), and its hint is a `nomia log` command
 * that runs: the failed node's spelling, whose log holds the compiler's
 * messages. Before, the hint was `nomia log NAME` and the only place was
 * `(9:8)` in a name nobody typed. An edge that makes no file (CMake's
 * `add_custom_target`, which ninja runs on every build) runs on this
 * machine (front-end/effects.ts); when it fails, nomia ninja exits with its
 * status and says which target's command failed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';

const dir = tempDir('edge-failure');
const store = join(dir, 'store');
const src = join(dir, 'broken');
const build = join(dir, 'build');
let toolchain = '';

function ready(t: TestContext): boolean {
  return cmakeReady(t, toolchain);
}

describe('a failed edge of nomia ninja', () => {
  // The store holds a whole toolchain: not left behind.
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    if (!hasCmakeTools()) return;
    toolchain = realizeCmakeToolchain(store, dir);
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(broken C)\nadd_executable(prog main.c bad.c)\nadd_custom_target(check COMMAND sh -c "echo check-says-no; exit 3" VERBATIM)\n');
    writeFileSync(join(src, 'main.c'), 'int bad(void);\nint main(void) { return bad(); }\n');
    writeFileSync(join(src, 'bad.c'), 'int bad(void) { return }\n');
  });

  test('names the object and its source, and hints a nomia log command that prints the compiler\'s messages', (t) => {
    if (!ready(t)) return;
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
    const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /error\[build\/failed\]/);
    assert.ok(r.err.includes(`while building CMakeFiles/prog.dir/bad.c.o in ${build} from ${join(src, 'bad.c')}`), r.err.slice(-2000));
    const hint = /hint: the whole log: nomia log (\S+)/.exec(r.err);
    assert.ok(hint, `a runnable nomia log hint: ${r.err.slice(-1000)}`);
    const log = nomia(store, ['log', hint[1]!], { cwd: dir });
    assert.equal(log.code, 0, log.err);
    assert.match(log.out, /bad\.c:1:\d+: error: expected expression/);
  });

  test('a target that only runs a command, failing, fails the build with its exit status and names the target', (t) => {
    if (!ready(t)) return;
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
    const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, 'check'], { cwd: dir });
    assert.equal(r.code, 3, r.err);
    assert.match(r.out, /^check-says-no$/m);
    assert.match(r.err, /error\[ninja\/effect-failed\]: CMakeFiles\/check failed with exit status 3: cd \S+ && sh -c "echo check-says-no; exit 3"/);
    assert.match(r.err, new RegExp(`hint: it ran on this machine in ${build} and its own output is above`));
  });

  // Shares this file's toolchain (src/cli/ran-counts.ts): the summary after a fix says what ran, not what the build has.
  test('once fixed, the summary line says how many edges of each kind ran of those the build has', (t) => {
    if (!ready(t)) return;
    writeFileSync(join(src, 'bad.c'), 'int bad(void) { return 0; }\n');
    const plain = () => {
      const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'plain', '--no-memo'], { cwd: dir });
      assert.equal(r.code, 0, r.err.slice(-2000));
      return r.err.split('\n').find((l) => l.startsWith('ninja: ')) ?? '';
    };
    // main.c compiled in the failed build above (when this test runs alone, it compiles now).
    assert.match(plain(), /^ninja: ran [12] of 2 compiles, 0 of 0 archives, 1 of 1 links, 0 of 0 commands; /);
    writeFileSync(join(src, 'main.c'), 'int bad(void);\n/* a comment */\nint main(void) { return bad(); }\n');
    assert.match(plain(), /^ninja: ran 1 of 2 compiles, 0 of 0 archives, 0 of 1 links, 0 of 0 commands; 0 files written, 3 up to date$/);
  });

  test('nomia log of a spelling no node ran under says so', () => {
    const r = nomia(store, ['log', 'nomia1-0000000000000000000000000000000000000000000000000000'], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /no log is kept under the spelling nomia1-0{52}/);
  });
});
