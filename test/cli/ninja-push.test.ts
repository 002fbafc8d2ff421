/**
 * Sharing a `nomia ninja` build through a binary cache (docs/cache.md,
 * "Pushing a nomia ninja build"): `nomia ninja --print-name` prints the one
 * name that builds the targets, `nomia push` takes it, and a second, empty
 * store realizes it from the cache without compiling anything — by
 * `nomia realize NAME --substituter`, and by `nomia ninja` itself with the
 * cache in the project's nomia.json. Also `-t clean`: it removes the
 * outputs from the build directory only, so the next build writes them
 * back from the store and compiles nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import { nomia, tempDir } from '../support/cli.js';
import { cmakeReady, hasCmakeTools, realizeCmakeToolchain } from '../support/cmake-toolchain.js';

const dir = tempDir('ninja-push');
const storeA = join(dir, 'a');
const storeB = join(dir, 'b');
const src = join(dir, 'src');
const build = join(dir, 'build');
const cache = `file://${join(dir, 'cache')}`;
const keyFile = join(dir, 'signing-key');
let toolchain = '';

const events = (out: string): EngineEvent[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent);
/** The plan's nodes that ran a compile, an archive or a link. */
const ranEdges = (es: readonly EngineEvent[]) => es.filter((e) => e.kind === 'realizing' && /^cc:(compile|archive|link)[?(]/.test(e.label));

function ready(t: TestContext): boolean {
  return cmakeReady(t, toolchain);
}

describe('pushing a nomia ninja build', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));
  before(() => {
    if (!hasCmakeTools()) return;
    toolchain = realizeCmakeToolchain(storeA, dir);
    mkdirSync(src);
    writeFileSync(join(src, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.10)\nproject(shared C)\nadd_library(util STATIC util.c)\nadd_executable(prog main.c)\ntarget_link_libraries(prog util)\n');
    writeFileSync(join(src, 'util.c'), 'int u(void) { return 42; }\n');
    writeFileSync(join(src, 'main.c'), '#include <stdio.h>\nint u(void);\nint main(void) { printf("%d\\n", u()); return 0; }\n');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
  });

  test('--print-name prints the name that builds the targets; pushed, an empty store realizes it from the cache with no compile', (t) => {
    if (!ready(t)) return;
    const built = nomia(storeA, ['ninja', '-C', build, '--toolchain', toolchain], { cwd: dir });
    assert.equal(built.code, 0, built.err);
    const printed = nomia(storeA, ['ninja', '-C', build, '--toolchain', toolchain, '--print-name'], { cwd: dir });
    assert.equal(printed.code, 0, printed.err);
    const name = printed.out.trim();
    assert.match(name, /^compose\n/);
    assert.match(name, /cc:compile\?/);
    assert.match(name, /cc:link\?[^\n]*&name=prog/);
    // It builds nothing and changes nothing: the same name again, the build directory as it was.
    assert.equal(nomia(storeA, ['ninja', '-C', build, '--toolchain', toolchain, '--print-name'], { cwd: dir }).out.trim(), name);

    assert.equal(nomia(storeA, ['key', 'generate', 'team-1', '--key-file', keyFile]).code, 0);
    const pub = nomia(storeA, ['key', 'public', '--key-file', keyFile]).out.trim();
    const pushed = nomia(storeA, ['push', cache, name, '--key-file', keyFile], { cwd: dir });
    assert.equal(pushed.code, 0, pushed.err);
    assert.match(pushed.out, /^pushed \d+ reductions and \d+ objects/);

    const b = nomia(storeB, ['realize', name, '--substituter', cache, '--trusted-key', pub, '--log-format', 'json'], { cwd: dir });
    assert.equal(b.code, 0, b.err.slice(-2000));
    const es = events(b.err);
    assert.deepEqual(ranEdges(es), []);
    assert.ok(es.some((e) => e.kind === 'substituted' && e.label.startsWith('cc:link?')), 'the program came from the cache');
    // The program from B's store is the one A built, byte for byte.
    const paths = b.out.trim().split('\n').filter((l) => l.startsWith('/'));
    assert.deepEqual(readFileSync(paths.at(-1)!), readFileSync(join(build, 'prog')));
  });

  test('nomia ninja on the empty store, with the cache in nomia.json, compiles nothing and writes the outputs', (t) => {
    if (!ready(t)) return;
    const project = join(dir, 'on-b');
    mkdirSync(project, { recursive: true });
    const pub = nomia(storeA, ['key', 'public', '--key-file', keyFile]).out.trim();
    writeFileSync(join(project, 'nomia.json'), JSON.stringify({ substituters: [cache], 'trusted-public-keys': [pub] }));
    const fresh = join(dir, 'store-c');
    const build2 = join(dir, 'build2');
    execFileSync('cmake', ['-S', src, '-B', build2, '-G', 'Ninja'], { stdio: 'pipe' });
    const r = nomia(fresh, ['ninja', '-C', build2, '--toolchain', toolchain, '--log-format', 'json'], { cwd: project });
    assert.equal(r.code, 0, r.err.slice(-2000));
    assert.deepEqual(ranEdges(events(r.err)), []);
    assert.equal(execFileSync(join(build2, 'prog'), { encoding: 'utf8' }), '42\n');
  });

  test('-t clean removes the outputs from the build directory only: the next build writes them back and runs no edge', (t) => {
    if (!ready(t)) return;
    const clean = nomia(storeA, ['ninja', '-C', build, '-t', 'clean'], { cwd: dir });
    assert.equal(clean.code, 0, clean.err);
    assert.match(clean.out, /^Cleaning\.\.\. [1-9]\d* files\.\n$/);
    assert.equal(existsSync(join(build, 'prog')), false);
    const r = nomia(storeA, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'plain'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^ninja: (ran 0 of 2 compiles, 0 of 1 archives, 0 of 1 links|2 compiles, 1 archives, 1 links)[^\n]*; 4 files written, 0 up to date/m);
    assert.equal(execFileSync(join(build, 'prog'), { encoding: 'utf8' }), '42\n');
  });
});
