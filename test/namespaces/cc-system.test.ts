/**
 * System include trees of `cc:compile` (`system=K`: the last K trees are
 * `-isystem` directories), as a project's own `-isystem DIR` needs: searched
 * after the `-I` trees, its headers' warnings silenced, in the loose and the
 * exact compile alike. The toolchain is the host's gcc copied by content.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { hasTool, requireTool } from '../support/tools.js';

const dir = tempDir('cc-system');
const store = join(dir, 'store');
let toolchain = '';

function tools(t: TestContext): boolean {
  return requireTool(t, 'gcc', 'gcc') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'nm', 'binutils') && toolchain !== '';
}

describe('cc: system include trees', () => {
  before(() => {
    if (!hasTool('gcc') || !hasTool('bwrap')) return;
    const r = nomia(store, ['realize', 'deb:host-files?paths=[/usr/bin/gcc]'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    toolchain = r.out.split('\n')[0]!;
  });

  test('a system tree is searched after the -I trees and its warnings are silenced; the exact compile agrees byte for byte', (t) => {
    if (!tools(t)) return;
    for (const d of ['src', 'inc', 'sys']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'src/f.c'), '#include <x.h>\n#include <only.h>\n#if X == 1\nint from_i_tree(void) { return ONLY; }\n#else\nint from_system_tree(void) { return ONLY; }\n#endif\n');
    writeFileSync(join(dir, 'inc/x.h'), '#define X 1\n');
    writeFileSync(join(dir, 'sys/x.h'), '#define X 2\n');
    // -Wall -Werror fails on this unless the header is a system header.
    writeFileSync(join(dir, 'sys/only.h'), 'static int unused_helper(void) { return 0; }\n#define ONLY 7\n');
    const name = (system: string) => `cc:compile?args=[-O2, -Wall, -Werror]${system}(src: filesystem:import?path="./src/f.c", include0: filesystem:import?path="./sys", include1: filesystem:import?path="./inc", toolchain: ${toolchain})`;
    // Trees in this order as -I: sys/x.h first, and the warning is an error.
    const plain = nomia(store, ['realize', name('')], { cwd: dir });
    assert.notEqual(plain.code, 0);
    assert.match(plain.err, /unused_helper/);
    // include0 as the system tree needs it last: system=1 takes the last tree, so swap them.
    const swapped = `cc:compile?args=[-O2, -Wall, -Werror]&system=1(src: filesystem:import?path="./src/f.c", include0: filesystem:import?path="./inc", include1: filesystem:import?path="./sys", toolchain: ${toolchain})`;
    const r = nomia(store, ['realize', '--log-format', 'json', swapped], { cwd: dir });
    assert.equal(r.code, 0, r.err.slice(-3000));
    const [object, path] = r.out.trim().split('\n');
    assert.match(execFileSync('nm', ['--defined-only', path!], { encoding: 'utf8' }), / T from_i_tree$/m);
    assert.match(r.err, /\$ gcc -O2 -Wall -Werror -I\/include\/0 -isystem\/include\/1 /);
    const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; to?: string });
    const exact = events.find((e) => e.kind === 'reduced' && e.to?.startsWith('cc:compile-exact?'))!.to!;
    assert.match(exact, /&includes=2&system=1&headers=\["0\/x\.h", "1\/only\.h"\]/);
    const check = nomia(store, ['realize', '--check', exact], { cwd: dir });
    assert.equal(check.code, 0, check.err.slice(-3000));
    assert.equal(check.out.split('\n')[0], object);
    const wrong = nomia(store, ['realize', name('&system=3')], { cwd: dir });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /takes `system=K`, how many of its 2 include trees/);
  });
});
