/**
 * What a build directory keeps through `nomia gc` (cli/build-root.ts,
 * docs/namespaces/ninja.md "What a build keeps through gc"; issue 17): a
 * `nomia ninja` with the default toolchain, a gc, the same build again: no
 * compile, no link, the toolchain not made again. A gc running while a
 * build runs takes nothing from it. A deleted build directory lets gc take
 * what only it kept. `nomia compile-commands` keeps its directory's too.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { nomia, nomiaAsync, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-gc');
const store = join(dir, 'store');
// The store holds a whole toolchain (some 300 MB): not left behind.
after(() => rmSync(dir, { recursive: true, force: true }));

interface Event { readonly kind: string; readonly label?: string; readonly line?: string; readonly parent?: number }

const MANIFEST = 'rule cc\n  command = /usr/bin/cc -O2 -c $in -o $out\n  deps = gcc\nrule link\n  command = /usr/bin/cc $in -o $out\n';

/** A build directory with `n` C files compiled and linked into one program; objects unique to it by `tag` (a constant in the code: a comment would give the same objects). */
function project(name: string, tag: number, n = 3): string {
  const at = join(dir, name);
  mkdirSync(at);
  const objects: string[] = [];
  let text = MANIFEST;
  for (let i = 0; i < n; i++) {
    writeFileSync(join(at, `m${i}.c`), i === 0 ? `int f1(void);\nint main(void) { return f1() - ${1 + tag}; }\n` : `int f${i}(void) { return ${i + tag}; }\n`);
    text += `build m${i}.o: cc m${i}.c\n`;
    objects.push(`m${i}.o`);
  }
  writeFileSync(join(at, 'build.ninja'), `${text}build prog: link ${objects.join(' ')}\n`);
  return at;
}

function events(err: string): Event[] {
  return err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
}

/** The plan's nodes that ran, by the namespace of their label, and whether the toolchain's packages were fetched or unpacked. */
function ran(err: string): { compile: number; link: number; toolchainMade: boolean } {
  const es = events(err);
  const started = es.filter((e) => e.kind === 'realizing');
  return {
    compile: started.filter((e) => e.label?.startsWith('cc:compile')).length,
    link: started.filter((e) => e.label?.startsWith('cc:link')).length,
    toolchainMade: started.some((e) => /^deb:(root|exact)/.test(e.label ?? '')) || es.some((e) => e.kind === 'log' && /downloading/.test(e.line ?? '')),
  };
}

const ninja = (at: string, ...args: string[]) => nomia(store, ['ninja', '-C', at, '--log-format', 'json', ...args], { cwd: dir });

function gc(): { dead: string[]; expiredRoots: string[] } {
  const r = nomia(store, ['gc', '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { dead: string[]; expiredRoots: string[] };
}

/** The store entry a build directory's output was copied from, by its content: the object named `name` whose bytes are the file's. */
function objectOf(at: string, output: string): string | undefined {
  const link = readlinkSync(join(at, '.nomia_ninja_root'));
  const bytes = readFileSync(join(at, output));
  return readFileSync(link, 'utf8').split('\n').find((p) => p.endsWith(`-${output}`) && readFileSync(p).equals(bytes));
}

describe('a build directory keeps its last build through gc', () => {
  const tools = (t: TestContext) => requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'dpkg-query', 'dpkg') && requireTool(t, 'gcc', 'gcc');
  const a = project('build-a', 100);

  test('build, gc, build again: no compile, no link, and the default toolchain is not made again', (t) => {
    if (!tools(t)) return;
    const first = ninja(a);
    assert.equal(first.code, 0, first.err.slice(-3000));
    assert.deepEqual(ran(first.err), { compile: 3, link: 1, toolchainMade: true });
    // The link in the build directory, registered as an indirect root.
    assert.ok(lstatSync(join(a, '.nomia_ninja_root')).isSymbolicLink());
    const roots = nomia(store, ['roots']);
    assert.match(roots.out, new RegExp(`${join(a, '.nomia_ninja_root').replace(/[.]/g, '\\.')}\\s+live`));
    const set = readlinkSync(join(a, '.nomia_ninja_root'));
    const collected = gc();
    assert.equal(collected.dead.filter((p) => /-(deb-root|m\d\.o|prog|ninja-build)$/.test(p)).length, 0, JSON.stringify(collected.dead));
    const again = ninja(a);
    assert.equal(again.code, 0, again.err.slice(-3000));
    assert.deepEqual(ran(again.err), { compile: 0, link: 0, toolchainMade: false });
    assert.equal(events(again.err).filter((e) => e.kind === 'done').length, 1);
    assert.equal(readlinkSync(join(a, '.nomia_ninja_root')), set, 'the same results: the same set, left in place');
  });

  test('a CMake configure check\'s scratch directory, deleted right after, gets no link', (t) => {
    if (!tools(t)) return;
    mkdirSync(join(dir, 'with-checks', 'CMakeFiles', 'CMakeScratch'), { recursive: true });
    const scratch = project(join('with-checks', 'CMakeFiles', 'CMakeScratch', 'TryCompile-x1'), 300, 2);
    const r = ninja(scratch);
    assert.equal(r.code, 0, r.err.slice(-3000));
    assert.ok(existsSync(join(scratch, 'prog')));
    assert.ok(!existsSync(join(scratch, '.nomia_ninja_root')));
  });

  test('a gc while a build runs takes nothing from it: the build succeeds, and what it made is kept', async (t) => {
    if (!tools(t)) return;
    const b = project('build-b', 200, 6);
    const child = nomiaAsync(store, ['ninja', '-C', b, '-j', '2', '--log-format', 'json']);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    let gcs = 0;
    while (child.exitCode === null) {
      gc();
      gcs++;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await done, 0, err.slice(-3000));
    assert.ok(gcs >= 1);
    assert.deepEqual(ran(err).compile, 6);
    gc();
    const again = ninja(b, '--no-memo');
    assert.equal(again.code, 0, again.err.slice(-3000));
    assert.deepEqual(ran(again.err), { compile: 0, link: 0, toolchainMade: false });
    assert.ok(objectOf(b, 'prog'), 'the program is in the set the link keeps');
  });

  test('nomia compile-commands keeps its directory\'s compiles too: compile, gc, compile again: nothing runs', (t) => {
    if (!requireTool(t, 'apt-get', 'apt') || !requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'gcc', 'gcc')) return;
    const at = join(dir, 'cc-build');
    mkdirSync(at);
    writeFileSync(join(at, 'x.c'), 'int x(void) { return 7; }\n');
    writeFileSync(join(at, 'compile_commands.json'), JSON.stringify([{ directory: at, command: `/usr/bin/cc -O2 -o x.o -c ${join(at, 'x.c')}`, file: join(at, 'x.c') }]));
    const run = () => {
      const r = nomia(store, ['compile-commands', '-p', at, '--log-format', 'json'], { cwd: dir });
      assert.equal(r.code, 0, r.err.slice(-3000));
      return ran(r.err);
    };
    assert.equal(run().compile, 1);
    assert.ok(lstatSync(join(at, '.nomia_compile_commands_root')).isSymbolicLink());
    gc();
    assert.deepEqual(run(), { compile: 0, link: 0, toolchainMade: false });
  });

  test('a deleted build directory lets gc take what only it kept; the toolchain goes with the last directory that used it', (t) => {
    if (!tools(t)) return;
    const kept = objectOf(a, 'm1.o')!;
    assert.ok(kept, 'build-a\'s object is in its set');
    const toolchain = readFileSync(readlinkSync(join(a, '.nomia_ninja_root')), 'utf8').split('\n').find((p) => p.endsWith('-deb-root'))!;
    rmSync(a, { recursive: true });
    const first = gc();
    assert.ok(first.expiredRoots.includes(`out-link ${join(a, '.nomia_ninja_root')}`), JSON.stringify(first.expiredRoots));
    assert.ok(!existsSync(kept), 'build-a\'s object is collected');
    assert.ok(existsSync(toolchain), 'the toolchain stays while build-b and cc-build keep it');
    rmSync(join(dir, 'build-b'), { recursive: true });
    rmSync(join(dir, 'cc-build'), { recursive: true });
    gc();
    assert.ok(!existsSync(toolchain), 'and goes with the last of them');
  });
});
