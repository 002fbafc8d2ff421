/**
 * `nomia ninja` on a CMake project laid out as cJSON 1.7.15's tests are
 * (docs/namespaces/ninja.md, "Edges as names"): a header of an include
 * directory quote-includes a file the sandbox's tree of headers cannot show
 * it, `#include "../examples/cfg.h"` (leaving that directory, as unity's
 * `unity_internals.h` does) or `#include "../lib.c"` (not a header, as
 * cJSON's `tests/common.h` does). Such a compile runs as `ninja:command`
 * with the source tree, and builds; a compile that does not reach those
 * headers stays a `cc:compile`. Before, both compiles failed with `No such
 * file or directory`. The toolchain is the host's files (no package
 * database), so nothing is downloaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { oneRunCompiles } from '../support/one-run.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('ninja-escaping-includes');
const store = join(dir, 'store');
const noDpkg = join(dir, 'no-dpkg');
mkdirSync(noDpkg);

interface Event { readonly kind: string; readonly label?: string }

describe('nomia ninja: headers that include beyond their include tree', () => {
  test('a compile reaching such a header runs as a command and builds; the others stay cc:compile', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'gcc', 'gcc')) return;
    const src = join(dir, 'proj');
    for (const d of ['tests/unity/src', 'tests/unity/examples']) mkdirSync(join(src, d), { recursive: true });
    writeFileSync(join(src, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.13)', 'project(escaping C)',
      'add_executable(prog main.c)',
      'add_executable(unit tests/unit.c)', 'target_include_directories(unit PRIVATE tests/unity/src)',
      'add_executable(whole tests/whole.c)', '',
    ].join('\n'));
    writeFileSync(join(src, 'lib.h'), 'int lib(void);\n');
    writeFileSync(join(src, 'lib.c'), '#include "lib.h"\nint lib(void) { return 40; }\n');
    writeFileSync(join(src, 'main.c'), '#include <stdio.h>\n#include "lib.h"\nint lib(void) { return 1; }\nint main(void) { printf("%d\\n", lib()); return 0; }\n');
    writeFileSync(join(src, 'tests/unity/src/unity.h'), '#include "../examples/cfg.h"\n');
    writeFileSync(join(src, 'tests/unity/examples/cfg.h'), '#define CFG 41\n');
    writeFileSync(join(src, 'tests/unit.c'), '#include <stdio.h>\n#include "unity.h"\nint main(void) { printf("%d\\n", CFG); return 0; }\n');
    writeFileSync(join(src, 'tests/common.h'), '#include "../lib.c"\n');
    writeFileSync(join(src, 'tests/whole.c'), '#include <stdio.h>\n#include "common.h"\nint main(void) { printf("%d\\n", lib() + 2); return 0; }\n');
    const build = join(dir, 'proj-build');
    execFileSync('cmake', ['-S', src, '-B', build, '-G', 'Ninja'], { stdio: 'pipe' });

    const r = nomia(store, ['ninja', '-C', build, '--log-format', 'json'], { cwd: dir, env: { DPKG_ADMINDIR: noDpkg } });
    assert.equal(r.code, 0, r.err.slice(-3000));
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
    const commands = events.filter((e) => e.kind === 'realizing' && e.label?.startsWith('ninja:command')).length;
    assert.equal(commands, 2, 'the compiles of unit.c and whole.c ran as commands');
    assert.equal(oneRunCompiles(r.err).length, 1, 'main.c, which reaches neither header, is a cc:compile');
    assert.equal(execFileSync(join(build, 'prog'), { encoding: 'utf8' }), '1\n');
    assert.equal(execFileSync(join(build, 'unit'), { encoding: 'utf8' }), '41\n');
    assert.equal(execFileSync(join(build, 'whole'), { encoding: 'utf8' }), '42\n');
  });

  // Each compile run as a command takes the whole source tree, so every edit changes its name; it learns from its
  // dependency file what it read, and compiles again only when one of those files changed (issue 17).
  test('a compile run as a command compiles again only when a file it read changed, or a new one shadows one', (t) => {
    if (!requireTool(t, 'bwrap', 'bubblewrap') || !requireTool(t, 'cmake', 'cmake') || !requireTool(t, 'gcc', 'gcc')) return;
    const src = join(dir, 'proj');
    const build = join(dir, 'proj-build');
    const run = () => {
      const r = nomia(store, ['ninja', '-C', build, '--log-format', 'json'], { cwd: dir, env: { DPKG_ADMINDIR: noDpkg } });
      assert.equal(r.code, 0, r.err.slice(-3000));
      return r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event & { line?: string });
    };
    /** The compiles of `file` that ran: a loose command that compiled, or its exact name run on its own. */
    const compiled = (events: readonly (Event & { line?: string })[], file: string) => events.filter((e) => e.label?.startsWith('ninja:command') && e.label.includes(file)
      && ((e.kind === 'log' && /^compiled /.test(e.line ?? '')) || (e.kind === 'realizing' && !e.label.includes('depfile=')))).length;

    appendFileSync(join(src, 'main.c'), '/* a comment in a file neither reads */\n');
    const unrelated = run();
    assert.equal(compiled(unrelated, 'tests/unit.c'), 0, 'unit.c read nothing that changed');
    assert.equal(compiled(unrelated, 'tests/whole.c'), 0, 'nor did whole.c');
    assert.ok(unrelated.some((e) => e.kind === 'log' && e.line?.startsWith('reads ') && e.label?.includes('tests/whole.c')), 'whole.c ran discovery only');

    writeFileSync(join(src, 'lib.c'), '#include "lib.h"\nint lib(void) { return 41; }\n');
    const changed = run();
    assert.equal(compiled(changed, 'tests/whole.c'), 1, 'whole.c read lib.c, through common.h');
    assert.equal(compiled(changed, 'tests/unit.c'), 0, 'unit.c did not');
    assert.equal(execFileSync(join(build, 'whole'), { encoding: 'utf8' }), '43\n');

    // A header beside unit.c is found before the -I directory's: discovery runs in the whole tree and sees it. (It
    // leaves its tree too, so unit.c stays a command.)
    writeFileSync(join(src, 'tests/unity.h'), '#include "../lib.h"\n#define CFG 77\n');
    const shadowed = run();
    assert.equal(compiled(shadowed, 'tests/unit.c'), 1, 'unit.c reads the new header');
    assert.equal(execFileSync(join(build, 'unit'), { encoding: 'utf8' }), '77\n');
    assert.equal(execFileSync(join(build, 'whole'), { encoding: 'utf8' }), '43\n');
  });
});
