/**
 * Headers probed by `__has_include` (issue 17, docs/namespaces/cc.md,
 * "Probed headers"): gcc's dependency file does not list them, so the exact
 * layout adds those that exist and the exact name lists those that do not.
 * A probed header that exists gives the whole-tree object in one run (and
 * the exact compile, run again, the same bytes); one added later recompiles
 * and changes the object; removed again, the first object. The toolchain is
 * the host's gcc copied by content (`deb:host-files`): no package download.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('cc-probe');
const store = join(dir, 'store');
let toolchain = '';

function tools(t: TestContext): boolean {
  return requireTool(t, 'gcc', 'gcc') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'nm', 'binutils') && toolchain !== '';
}

interface Build {
  readonly name: string;
  readonly path: string;
  /** The sandboxed gcc commands that ran, and of those the compiles (`-c`). */
  readonly gcc: readonly string[];
  readonly compiles: number;
  readonly logs: string;
  readonly exact: string;
  /** The object's defined symbols. */
  readonly symbols: string;
}

function realize(name: string, cwd: string, extra: string[] = []): Build {
  const r = nomia(store, ['realize', '--log-format', 'json', ...extra, name], { cwd });
  assert.equal(r.code, 0, r.err.slice(-3000));
  const [refined = '', path = ''] = r.out.trim().split('\n');
  const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; line?: string; to?: string });
  const gcc = events.filter((e) => e.kind === 'log' && e.line?.startsWith('$ gcc ')).map((e) => e.line!);
  const logs = events.filter((e) => e.kind === 'log' && !e.line?.startsWith('$ ')).map((e) => e.line).join('\n');
  const exact = events.find((e) => e.kind === 'reduced' && e.to?.startsWith('cc:compile-exact?'))?.to ?? '';
  const symbols = execFileSync('nm', ['--defined-only', path], { encoding: 'utf8' });
  return { name: refined, path, gcc, compiles: gcc.filter((c) => c.includes(' -c ')).length, logs, exact, symbols };
}

/** A checkout: `src/f.c` includes `a.h` from `inc` and defines `with_probe` or `without_probe` by `__has_include("probe.h")`. */
function checkout(at: string, source?: string): string {
  for (const d of ['src', 'inc/sub', 'first']) mkdirSync(join(at, d), { recursive: true });
  writeFileSync(join(at, 'src/f.c'), source ?? '#include "a.h"\n#if __has_include("probe.h")\nint with_probe(void) { return A; }\n#else\nint without_probe(void) { return A; }\n#endif\n');
  writeFileSync(join(at, 'inc/a.h'), '#define A 3\n');
  writeFileSync(join(at, 'first/.keep'), '');
  return at;
}

const compileName = () => `cc:compile?args=[-O2](src: filesystem:import?path="./src/f.c", include0: filesystem:import?path="./first", include1: filesystem:import?path="./inc", toolchain: ${toolchain})`;

describe('cc: headers probed by __has_include', () => {
  before(() => {
    if (!hasTool('gcc') || !hasTool('bwrap')) return;
    const r = nomia(store, ['realize', 'deb:host-files?paths=[/usr/bin/gcc]'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    toolchain = r.out.split('\n')[0]!;
  });

  test('a probed header that exists is laid out: one run, and the exact compile run again gives the same object', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'present'));
    writeFileSync(join(a, 'inc/probe.h'), '/* present */\n');
    const first = realize(compileName(), a);
    assert.match(first.symbols, / T with_probe$/m, 'the probe found probe.h');
    assert.equal(first.gcc.length, 1, `one sandboxed gcc run: ${first.gcc.join('\n')}`);
    assert.match(first.logs, /probes \(__has_include\) find 1\/probe\.h, laid out; find nothing at 0\/probe\.h, listed as absent/);
    assert.match(first.logs, /compiled in one run with the whole include trees; 2 headers/);
    assert.match(first.exact, /&headers=\["1\/a\.h", "1\/probe\.h"\]&absent=\["0\/probe\.h"\]\(/);
    // The exact compile in its own layout (only the listed files exist) sees probe.h too: the same bytes.
    const check = realize(first.exact, a, ['--check']);
    assert.equal(check.compiles, 1, 'the exact compile ran');
    assert.equal(check.name, first.name);
  });

  test('a probed header added later recompiles and changes the object; removed, the first object again', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'added'));
    const without = realize(compileName(), a);
    assert.match(without.symbols, / T without_probe$/m);
    assert.equal(without.compiles, 1);
    assert.match(without.exact, /&headers=\["1\/a\.h"\]&absent=\["0\/probe\.h", "1\/probe\.h"\]\(/, 'the exact name says what it found absent');
    // Contents no other test uses: the same files from another checkout are the same names (and would be reused).
    writeFileSync(join(a, 'inc/probe.h'), '/* added */\n');
    const added = realize(compileName(), a);
    assert.match(added.symbols, / T with_probe$/m, 'the added header is seen');
    assert.notEqual(added.name, without.name);
    assert.equal(added.gcc.length, 1, `the hint knew the header was absent: one run, the compile: ${added.gcc.join('\n')}`);
    assert.equal(added.compiles, 1);
    rmSync(join(a, 'inc/probe.h'));
    const removed = realize(compileName(), a);
    assert.equal(removed.name, without.name, 'the object without it');
    assert.equal(removed.compiles, 0, `its exact name was recorded: a lookup: ${removed.gcc.join('\n')}`);
  });

  test('a probed header added in an earlier tree, shadowing nothing read, is seen too', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'earlier'));
    assert.match(realize(compileName(), a).symbols, / T without_probe$/m);
    writeFileSync(join(a, 'first/probe.h'), '/* earlier */\n');
    const added = realize(compileName(), a);
    assert.match(added.symbols, / T with_probe$/m);
    assert.match(added.exact, /&headers=\["0\/probe\.h", "1\/a\.h"\]&absent=\["1\/probe\.h"\]\(/);
  });

  test('a quoted probe beside the header that makes it, and a probe through a macro, are laid out: one run, the same object as the exact compile', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'beside'), '#include "sub/s.h"\n#define PROBED <m.h>\n#if __has_include(PROBED)\nint with_macro(void) { return 1; }\n#endif\n#if S\nint t_beside(void) { return 1; }\n#endif\n');
    writeFileSync(join(a, 'inc/sub/s.h'), '#if __has_include("t.h")\n#define S 1\n#else\n#define S 0\n#endif\nint s_seen(void);\n');
    writeFileSync(join(a, 'inc/sub/t.h'), '/* beside s.h, not on the include path */\n');
    writeFileSync(join(a, 'inc/m.h'), '/* probed through a macro */\n');
    const first = realize(compileName(), a);
    assert.match(first.symbols, / T with_macro$/m);
    assert.match(first.symbols, / T t_beside$/m, 's.h found t.h beside it');
    assert.equal(first.gcc.length, 1, first.logs);
    assert.match(first.exact, /&headers=\["1\/m\.h", "1\/sub\/s\.h", "1\/sub\/t\.h"\]&absent=\["0\/t\.h", "1\/t\.h"\]\(/);
    // The exact compile, where only the listed files exist, agrees byte for byte.
    const check = realize(first.exact, a, ['--check']);
    assert.equal(check.compiles, 1);
    assert.equal(check.name, first.name);
  });

  test('an exact name listing a path both as a header and as absent is refused', (t) => {
    if (!tools(t)) return;
    const a = checkout(join(dir, 'both'));
    const r = nomia(store, ['realize', `cc:compile-exact?args=[]&includes=1&headers=["0/a.h"]&absent=["0/a.h"](src: filesystem:import?path="./src/f.c", h0: filesystem:import?path="./inc/a.h", toolchain: ${toolchain})`], { cwd: a });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /both in `headers` and in `absent`/);
  });
});
