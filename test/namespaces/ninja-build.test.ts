/**
 * A whole CMake project as one name (issue 17): `ninja:build` of json-c's
 * Debian source, configured by `cmake:configure` in the sandbox. It gives
 * the libjson-c.so that `nomia ninja` gives from a host configure, a second
 * realize runs nothing, a comment in one `.c` file compiles that module
 * only, and the compiles are shared with `nomia ninja` (the
 * same `cc:compile-exact` names). `nomia compile-commands` on a build
 * directory's compile_commands.json compiles what `nomia ninja` then
 * reuses, byte for byte, and a second run compiles nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-build');
const store = join(dir, 'store');
/** cmake:configure builds CMake's test projects with ninja: the toolchain has it. */
const TOOLCHAIN = 'deb:closure?packages=[cmake, gcc, libc6-dev, ninja-build]';
let toolchain = '';
let source = '';

/** The labels of the nodes that ran, from a `--log-format json` run's events. */
function ran(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string })
    .filter((e) => e.kind === 'realizing' && e.label).map((e) => e.label!).concat(oneRunCompiles(text));
}

const count = (labels: readonly string[], prefix: string) => labels.filter((l) => l.startsWith(prefix)).length;

/** Realize a name; its result's path and the labels of the nodes that ran. */
function realize(name: string): { path: string; ran: string[] } {
  const r = nomia(store, ['realize', '--log-format', 'json', name], { cwd: dir });
  assert.equal(r.code, 0, r.err.slice(-3000));
  return { path: r.out.split('\n')[1]!, ran: ran(r.err) };
}

function run(args: string[]): string[] {
  const r = nomia(store, [...args, '--toolchain', toolchain, '--log-format', 'json'], { cwd: dir });
  assert.equal(r.code, 0, r.err.slice(-3000));
  return ran(r.err);
}

function configure(build: string, ...args: string[]): void {
  execFileSync('cmake', ['-S', source, '-B', build, '-G', 'Ninja', ...args], { stdio: 'pipe' });
}

/** The object files under `build`, by path, with their bytes. */
function objects(build: string): Map<string, Buffer> {
  const files = readdirSync(build, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.c.o')).sort();
  return new Map(files.map((f) => [f, readFileSync(join(build, f))]));
}

function ready(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'cmake', 'cmake') && toolchain !== '';
}

describe('ninja:build and compile-commands on json-c', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap') || !hasTool('cmake')) return;
    const tc = nomia(store, ['realize', TOOLCHAIN], { cwd: dir });
    assert.equal(tc.code, 0, tc.err);
    toolchain = tc.out.split('\n')[0]!;
    const src = nomia(store, ['realize', 'deb:source?package=json-c'], { cwd: dir });
    assert.equal(src.code, 0, src.err);
    source = join(dir, 'json-c');
    cpSync(src.out.split('\n')[1]!, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);
  });

  test('ninja:build realizes json-c, again runs nothing, and shares its compiles with nomia ninja; compile-commands too', (t) => {
    if (!ready(t)) return;
    const name = `ninja:build?targets=[json-c](src: deb:source?package=json-c, toolchain: ${TOOLCHAIN})`;
    const cold = realize(name);
    assert.equal(count(cold.ran, 'cmake:configure'), 1, 'configured in the sandbox');
    assert.ok(count(cold.ran, 'cc:compile-exact') >= 10, `compiles ran: ${count(cold.ran, 'cc:compile-exact')}`);
    // The targets' files, the library's names linking to its versioned file.
    assert.deepEqual(readdirSync(cold.path).sort(), ['libjson-c.so', 'libjson-c.so.5', 'libjson-c.so.5.2.0']);
    assert.equal(readlinkSync(join(cold.path, 'libjson-c.so')), 'libjson-c.so.5');
    assert.ok(lstatSync(join(cold.path, 'libjson-c.so.5.2.0')).isFile());

    const again = realize(name);
    assert.equal(again.path, cold.path);
    assert.deepEqual(again.ran.filter((l) => /^(cmake|cc|ninja):/.test(l)), [], 'a second realize runs no configure, compile or command');

    // A comment appended to one .c file of a copy of the sources: the copy is configured again, and of the
    // compiles only that module's runs (the other sources and every headers tree are the same by content).
    const edited = join(dir, 'json-c-edited');
    cpSync(source, edited, { recursive: true });
    appendFileSync(join(edited, 'arraylist.c'), '/* a comment */\n');
    const comment = realize(`ninja:build?targets=[json-c](src: filesystem:import?path=${JSON.stringify(edited)}, toolchain: ${TOOLCHAIN})`);
    assert.equal(count(comment.ran, 'cmake:configure'), 1);
    assert.equal(count(comment.ran, 'cc:compile-exact'), 1, comment.ran.filter((l) => l.startsWith('cc:')).join('\n'));

        // nomia ninja of the same sources, configured on the host: every compile is one ninja:build made; the same library.
    const build = join(dir, 'build');
    configure(build);
    const ninja = run(['ninja', '-C', build, 'json-c']);
    assert.equal(count(ninja, 'cc:compile-exact'), 0, ninja.filter((l) => l.startsWith('cc:')).join('\n'));
    assert.ok(readFileSync(join(build, 'libjson-c.so.5.2.0')).equals(readFileSync(join(cold.path, 'libjson-c.so.5.2.0'))), 'the same libjson-c.so as nomia ninja');

    // compile_commands.json of another build directory: the static library's, tests' and apps' modules compile
    // (the shared library's are known), and are written where the compiler writes them.
    const db = join(dir, 'db-build');
    configure(db, '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON');
    const entries = (JSON.parse(readFileSync(join(db, 'compile_commands.json'), 'utf8')) as unknown[]).length;
    const first = run(['compile-commands', '-p', db]);
    assert.ok(count(first, 'cc:compile-exact') > 0 && count(first, 'cc:compile-exact') < entries, `compiles: ${count(first, 'cc:compile-exact')} of ${entries}`);
    const written = objects(db);
    assert.equal(written.size, entries);
    const second = run(['compile-commands', '-p', db]);
    assert.equal(count(second, 'cc:compile-exact'), 0, 'a second run compiles nothing');

    // nomia ninja builds everything from the same compiles: byte-identical objects, none compiled.
    const all = run(['ninja', '-C', build]);
    assert.equal(count(all, 'cc:compile-exact'), 0, all.filter((l) => l.startsWith('cc:')).join('\n'));
    const built = objects(build);
    assert.deepEqual([...built.keys()], [...written.keys()]);
    for (const [f, bytes] of written) assert.ok(bytes.equals(built.get(f)!), `${f} is the same object`);
  });
});
