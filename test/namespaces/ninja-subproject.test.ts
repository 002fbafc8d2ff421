/**
 * Issue 17, must-work 5: a second project that takes json-c's sources as a
 * subproject (`add_subdirectory(json-c)` of a copy, the same flags), built
 * by `nomia ninja` on the same store as json-c built alone, compiles none
 * of json-c's library modules, archives nothing and does not link
 * `libjson-c.so` again. Its build directory is `<build>/json-c`, its
 * sources `<src>/json-c`: the compiles still are the same names, because
 * sources and include trees enter by content at fixed sandbox paths.
 *
 * The one json-c compile that does run is its app `json_parse`: json-c's
 * `apps/CMakeLists.txt` says `include_directories(PUBLIC
 * ${CMAKE_SOURCE_DIR})`, which in a subproject is the parent's source
 * directory, so CMake gives that compile one more `-I` (another search
 * directory, another include tree). The test pins that difference too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { jsonCFixture } from '../support/json-c.js';
import { oneRunCompiles } from '../support/one-run.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('ninja-subproject');
const store = join(dir, 'store');
let toolchain = '';
let source = '';

/** What a `--log-format json` build ran: the object of each compile that ran, the other nodes' labels. */
interface Ran {
  readonly compiled: readonly string[];
  readonly labels: readonly string[];
}

function ninja(build: string): Ran {
  const r = nomia(store, ['ninja', '-C', build, '--toolchain', toolchain, '--log-format', 'json'], { cwd: dir });
  assert.equal(r.code, 0, r.err.slice(-3000));
  const compiled: string[] = [];
  const labels: string[] = [];
  for (const line of r.err.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { kind: string; label?: string; outputs?: Record<string, string> };
    if (e.kind === 'realizing' && e.label) labels.push(e.label);
    // The exact compile runs gcc; its result is named for the object (`name=arraylist.o`).
    if (e.kind === 'ready' && e.label?.startsWith('cc:compile-exact')) compiled.push(/name=([^&]+)/.exec(e.outputs?.['out'] ?? '')?.[1] ?? '?');
  }
  // A compile in one run records its exact name without a node of its own (support/one-run.ts): the object is named for its source.
  for (const exact of oneRunCompiles(r.err)) compiled.push(`${(/src: \(filesystem:by-content\?name=([^&]+)/.exec(exact)?.[1] ?? '?').replace(/\.[^.]*$/, '')}.o`);
  return { compiled: compiled.sort(), labels };
}

function configure(src: string, build: string): void {
  execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });
}

/** The `INCLUDES` of the edge compiling `object` in `build`'s manifest. */
function includes(build: string, object: string): string {
  const text = readFileSync(join(build, 'build.ninja'), 'utf8');
  const at = text.search(new RegExp(`^build [^:]*/${object.replace(/\./g, '\\.')}: `, 'm'));
  assert.ok(at >= 0, `${object} is compiled in ${build}`);
  return /^ {2}INCLUDES = (.*)$/m.exec(text.slice(at).split('\nbuild ')[0]!)?.[1] ?? '';
}

function ready(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'cmake', 'cmake') && toolchain !== '';
}

describe('json-c as a subproject of another project', () => {
  before(() => {
    if (!hasTool('apt-get') || !hasTool('bwrap') || !hasTool('cmake')) return;
    ({ toolchain, source } = jsonCFixture(store, dir));
  });

  test('a project with add_subdirectory(json-c) compiles none of json-c\'s library modules and does not relink it', (t) => {
    if (!ready(t)) return;
    const build = join(dir, 'build');
    configure(source, build);
    const alone = ninja(build);
    const library = alone.compiled.filter((o) => !o.startsWith('test') && o !== 'json_parse.o' && o !== 'parse_flags.o');
    assert.ok(library.length >= 13, `json-c's library modules compiled: ${library.join(' ')}`);

    // Another project, elsewhere, with a copy of json-c's sources as a subdirectory and a program of its own.
    const parent = join(dir, 'elsewhere', 'uses-json-c');
    mkdirSync(parent, { recursive: true });
    cpSync(source, join(parent, 'json-c'), { recursive: true });
    writeFileSync(join(parent, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.9)',
      'project(uses_json_c C)',
      'add_subdirectory(json-c)',
      'add_executable(hello hello.c)',
      'target_link_libraries(hello PRIVATE json-c)',
      '',
    ].join('\n'));
    writeFileSync(join(parent, 'hello.c'), [
      '#include <stdio.h>',
      '#include <json.h>',
      'int main(void) {',
      '  struct json_object *o = json_tokener_parse("{\\"answer\\": 42}");',
      '  printf("%s\\n", json_object_to_json_string(json_object_object_get(o, "answer")));',
      '  json_object_put(o);',
      '  return 0;',
      '}',
      '',
    ].join('\n'));
    const pbuild = join(dir, 'elsewhere', 'build');
    configure(parent, pbuild);
    const sub = ninja(pbuild);

    // None of json-c's library modules compiled again (json-c builds each twice, shared and static), no archive, no
    // link of the library: its build directory is `<build>/json-c` here, which no compile's name holds.
    assert.deepEqual(sub.compiled.filter((o) => library.includes(o)), []);
    assert.equal(sub.labels.filter((l) => l.startsWith('cc:archive')).length, 0);
    assert.deepEqual(sub.labels.filter((l) => l.includes('name=libjson-c.so.5.2.0')), []);
    // What did compile: the parent's own program, and json-c's app json_parse, whose flags CMake makes differ.
    assert.deepEqual(sub.compiled, ['hello.o', 'json_parse.o']);
    const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
    const own = words(includes(build, 'json_parse.c.o')).map((w) => w.replace(source, '<json-c>').replace(build, '<json-c build>'));
    const inParent = words(includes(pbuild, 'json_parse.c.o')).map((w) => w.replace(join(parent, 'json-c'), '<json-c>').replace(join(pbuild, 'json-c'), '<json-c build>'));
    // json-c's apps/CMakeLists.txt: include_directories(PUBLIC ${CMAKE_SOURCE_DIR}), the top project's sources.
    assert.deepEqual(inParent.filter((w) => !own.includes(w)), [`-I${parent}`]);
    assert.deepEqual(own.filter((w) => !inParent.includes(w)), []);

    // The program links against the library json-c's own build made, and runs.
    assert.equal(execFileSync(join(pbuild, 'hello'), { encoding: 'utf8' }), '42\n');
    // Nothing changed: nothing runs.
    const noop = ninja(pbuild);
    assert.deepEqual(noop.compiled, []);
    assert.equal(noop.labels.filter((l) => l.startsWith('cc:')).length, 0);
  });
});
