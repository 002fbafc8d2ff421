/**
 * The rule the interface refinement rests on, checked with the real
 * toolchain: for a set of changes to a shared library, a program linked
 * against the old and against the new library comes out byte-identical
 * whenever their interfaces (src/namespaces/cc/elf-interface.ts) are
 * equal. The host's gcc and ld build every variant in the same directory,
 * so only the library differs between two links. The changes a dependent
 * cannot see must give equal interfaces (else the rule saves nothing), and
 * those it can see must not.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sharedInterface } from '../../src/namespaces/cc/elf-interface.js';
import { tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('cc-elf-interface');

/** The library as first written: data and a function exported by a version script, helpers kept local. */
const BASE = {
  c: 'int table[4] = {1, 2, 3, 4};\nstatic int g(void) { return 1; }\nint f(void) { return g() + table[0]; }\n',
  map: '{ global: f; table; local: *; };\n',
  soname: 'libt.so.1',
  libs: [] as string[],
};
type Variant = typeof BASE;

/** `table` 4 bytes into a 16-byte aligned block: ld derives an alignment of 4 for its copy, not 16. */
const MOVED = 'asm(".data\\n.p2align 4\\n.long 0\\n.globl table\\n.type table, @object\\n.size table, 16\\ntable: .long 1, 2, 3, 4\\n");\n';

/**
 * Each change, whether a dependent can see it (`visible`: the interfaces must differ), and whether the program
 * linked against it differs with every toolchain (so the interface must hold what changed).
 */
const CHANGES: readonly { name: string; visible: boolean; programDiffers?: boolean; variant: Variant }[] = [
  { name: 'a function body', visible: false, variant: { ...BASE, c: BASE.c.replace('g() + table[0]', 'g() * 7 + table[0]') } },
  { name: 'a new local function', visible: false, variant: { ...BASE, c: `${BASE.c}int json_c_bench_1(void) { return 42; }\n` } },
  { name: 'an exported data object that moves (a new local one before it), its alignment kept', visible: false, variant: { ...BASE, c: `int pad[2] = {5, 6};\n${BASE.c}int *h(void) { return pad; }\n` } },
  { name: 'a new exported function', visible: true, variant: { ...BASE, c: `${BASE.c}int h(void) { return 2; }\n`, map: '{ global: f; h; table; local: *; };\n' } },
  { name: 'an exported data object\'s size, its alignment kept', visible: true, programDiffers: true, variant: { ...BASE, c: BASE.c.replace('table[4] = {1, 2, 3, 4}', 'table[5] = {1, 2, 3, 4, 5}') } },
  { name: 'the SONAME', visible: true, programDiffers: true, variant: { ...BASE, soname: 'libt.so.2' } },
  { name: 'a new DT_NEEDED', visible: true, variant: { ...BASE, libs: ['-Wl,--no-as-needed', '-lm'] } },
  {
    name: 'an exported data object that moves to a lesser alignment, its size kept', visible: true, programDiffers: true,
    variant: { ...BASE, c: BASE.c.replace('int table[4] = {1, 2, 3, 4};', `${MOVED}extern int table[4];`) },
  },
  { name: 'a symbol version', visible: true, programDiffers: true, variant: { ...BASE, map: 'T_1 { global: f; table; local: *; };\n' } },
];

const MAIN = 'extern int table[];\nint f(void);\nint main(void) { return f() + table[1]; }\n';

/** Build the library `v` and link the program against it, both in the same directory; their bytes. */
function build(v: Variant, pie: boolean): { so: Buffer; prog: Buffer } {
  const at = join(dir, 'build');
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 't.c'), v.c);
  writeFileSync(join(at, 't.map'), v.map);
  writeFileSync(join(at, 'main.c'), MAIN);
  const gcc = (args: string[]) => execFileSync('gcc', args, { cwd: at, stdio: ['ignore', 'ignore', 'pipe'] });
  gcc(['-O2', '-fPIC', '-shared', `-Wl,-soname,${v.soname}`, '-Wl,--version-script,t.map', '-o', 'libt.so', 't.c', ...v.libs]);
  gcc(['-O2', ...(pie ? [] : ['-no-pie']), '-o', 'prog', 'main.c', 'libt.so']);
  return { so: readFileSync(join(at, 'libt.so')), prog: readFileSync(join(at, 'prog')) };
}

describe('a shared library\'s interface against the real toolchain', () => {
  for (const pie of [true, false]) {
    test(`equal interfaces give byte-identical programs (${pie ? 'PIE' : 'non-PIE, copy relocations'})`, (t) => {
      if (!requireTool(t, 'gcc', 'gcc')) return;
      const base = build(BASE, pie);
      const baseInterface = sharedInterface(base.so);
      assert.ok(baseInterface, 'the library has an interface');
      for (const change of CHANGES) {
        const other = build(change.variant, pie);
        assert.notDeepEqual(other.so, base.so, `${change.name}: the library's bytes changed`);
        const same: boolean = sharedInterface(other.so) === baseInterface;
        assert.equal(same, !change.visible, `${change.name}: the interfaces are ${same ? 'equal' : 'different'}`);
        if (same) assert.deepEqual(other.prog, base.prog, `${change.name}: equal interfaces, but the programs differ`);
        if (change.programDiffers) assert.notDeepEqual(other.prog, base.prog, `${change.name}: the program sees this change, so the interface must`);
      }
    });
  }

  test('an object, an archive, a program that is not a shared object, and a text file have no interface', (t) => {
    if (!requireTool(t, 'gcc', 'gcc')) return;
    const at = join(dir, 'others');
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'a.c'), 'int a(void) { return 1; }\n');
    execFileSync('gcc', ['-c', '-o', 'a.o', 'a.c'], { cwd: at });
    execFileSync('ar', ['qcs', 'liba.a', 'a.o'], { cwd: at });
    execFileSync('gcc', ['-no-pie', '-nostartfiles', '-e', 'a', '-o', 'exe', 'a.o'], { cwd: at });
    for (const f of ['a.o', 'liba.a', 'exe', 'a.c']) assert.equal(sharedInterface(readFileSync(join(at, f))), undefined, f);
  });
});
