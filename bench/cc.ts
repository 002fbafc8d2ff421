/**
 * bench/cc (issue 17): C builds through `nomia ninja` beside the real
 * `ninja`, `make -j2` and `make -j2` with `ccache` (a fresh cache), in one
 * run, on json-c 0.16 (Debian's source, CMake) and on a generated
 * 100-module C project (CMake, and its own Makefile for make).
 *
 * Scenarios: cold (for Nomia, a store that holds the toolchain and nothing
 * compiled), no-op, one `.c` changed (a real change: it compiles, and the
 * library and programs are linked again), one widely included header
 * changed, and a second checkout of the same sources at another path
 * (configured and built there; ccache has no `base_dir`). Cold and the
 * checkout are one run each, the others medians of 3.
 *
 * Targets: one `.c` changed ≤ 1.1 × ninja's (ninja runs exactly that
 * compile and the links); no-op ≤ 0.1 s through the CLI; a second checkout
 * compiles nothing; cold ≤ 1.2 × ninja's.
 *
 * Then CMake's configure of json-c with ninja and with `nomia ninja` as
 * its make program (an exact toolchain, and the default one), one run each.
 * Last, no-op and one `.c` changed through the native client with `nomia
 * daemon` running (cc-resident.ts).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { runner, timed } from './measure.js';
import { copy, generate, MODULES, peers, type Bench, type MakeStyle, type Peer } from './cc-peers.js';
import { residentRows } from './cc-resident.js';

const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'nomia-bench-cc-'));
// TMPDIR passes through: the compilers' temporary files go where the benchmark's tree is.
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base, LANG: 'C', ...(process.env['TMPDIR'] ? { TMPDIR: process.env['TMPDIR'] } : {}) };
const store = join(base, 'store');
const run = runner(env, base);
const nomia = (...args: string[]) => run(process.execPath, [bin, '--store', store, ...args]);

for (const tool of ['cmake', 'ninja', 'make']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`bench/cc needs ${tool}: apt-get install ${tool === 'ninja' ? 'ninja-build' : tool}`);
}
const ccache = spawnSync('sh', ['-c', 'command -v ccache']).status === 0;
if (!ccache) console.log('ccache is not installed (apt-get install ccache): its column is left out');

const toolchain = nomia('realize', '--log-format', 'plain', 'deb:closure?packages=[cmake, gcc, libc6-dev]').split('\n')[0]!;
/** `nomia ninja -C dir`, counting the compiles that ran (their `$ gcc … -c …` log lines) in its JSON events. */
function nomiaNinja(dir: string): number {
  const r = spawnSync(process.execPath, [bin, '--store', store, 'ninja', '-C', dir, '-j', '2', '--toolchain', toolchain, '--log-format', 'json'], { cwd: base, env, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`nomia ninja -C ${dir}: ${r.stderr.toString().slice(-2000)}`);
  // A compile is a gcc run with -c, whichever node ran it (cc:compile in one run, or cc:compile-exact).
  return r.stderr.toString().split('\n').filter((l) => l.startsWith('{"kind":"log"') && l.includes('"line":"$ gcc ') && l.includes(' -c ')).length;
}
const bench: Bench = { base, run, nomiaNinja, ccache };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { readonly label: string; readonly ms: readonly number[]; readonly compiled: readonly (number | undefined)[] }

/** Each peer `n` times (`change` before each run, on its own sources): the median time, and what the last run compiled. */
function scenario(list: readonly Peer[], label: string, n: number, change?: (src: string, i: number) => void): Row {
  const cells = list.map((p) => {
    let compiled: number | undefined;
    const times = Array.from({ length: n }, (_, i) => {
      change?.(p.src, i);
      return timed(() => { compiled = p.build(); });
    });
    return { ms: median(times), compiled };
  });
  return { label, ms: cells.map((c) => c.ms), compiled: cells.map((c) => c.compiled) };
}

interface Project {
  readonly name: string;
  readonly pristine: string;
  readonly make: MakeStyle;
  /** A real change to one `.c` file (run `i`). */
  readonly changeC: (src: string, i: number) => void;
  readonly header: { readonly label: string; readonly change: (src: string, i: number) => void };
}

function measure(p: Project): { list: Peer[]; rows: Row[] } {
  const list = peers(bench, p.name, p.pristine, p.make);
  const rows = [
    scenario(list, 'cold', 1),
    scenario(list, 'no-op', 3),
    scenario(list, 'one .c changed', 3, p.changeC),
    scenario(list, p.header.label, 3, p.header.change),
  ];
  const second = peers(bench, p.name, p.pristine, p.make, '-checkout2');
  rows.push(scenario(second, 'second checkout, another path', 1));
  return { list, rows };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const TARGETS: Record<string, string> = {
  cold: '≤ 1.2 × ninja', 'no-op': '≤ 0.1 s', 'one .c changed': '≤ 1.1 × ninja', 'second checkout, another path': 'nothing compiled',
};

function print(title: string, list: readonly Peer[], rows: readonly Row[]): void {
  const others = list.slice(1).map((p) => p.label);
  console.log(`\n${title}`);
  console.log(`| scenario | ${list.map((p) => p.label).join(' | ')} | ${others.map((o) => `÷ ${o}`).join(' | ')} | target |`);
  console.log(`|---|${list.map(() => '---|').join('')}${others.map(() => '---|').join('')}---|`);
  for (const r of rows) {
    const cell = (ms: number, i: number) => {
      const c = r.compiled[i];
      return r.label.startsWith('second checkout') && c !== undefined ? `${seconds(ms)} (${c} compiled)` : seconds(ms);
    };
    const ratios = r.ms.slice(1).map((ms) => `${(r.ms[0]! / ms).toFixed(2)}`);
    console.log(`| ${r.label} | ${r.ms.map(cell).join(' | ')} | ${ratios.join(' | ')} | ${TARGETS[r.label] ?? ''} |`);
  }
}

// json-c, Debian's source.
const jsonc = join(base, 'json-c-pristine');
copy(bench, nomia('realize', '--log-format', 'plain', 'deb:source?package=json-c').split('\n')[1]!, jsonc);
const jsoncRows = measure({
  name: 'json-c', pristine: jsonc, make: 'cmake',
  changeC: (src, i) => appendFileSync(join(src, 'arraylist.c'), `int json_c_bench_${i}(void) { return ${i}; }\n`),
  header: { label: 'comment in json_object.h', change: (src, i) => appendFileSync(join(src, 'json_object.h'), `/* bench ${i} */\n`) },
});

// The generated project.
const gen = generate(join(base, 'gen-pristine'));
const genRows = measure({
  name: 'gen', pristine: gen, make: 'own',
  changeC: (src, i) => appendFileSync(join(src, 'mod7.c'), `int mod7_bench_${i}(void) { return ${i}; }\n`),
  header: {
    label: `K changed in common.h (all ${MODULES})`,
    change: (src, i) => writeFileSync(join(src, 'common.h'), readFileSync(join(src, 'common.h'), 'utf8').replace(/#define K \d+/, `#define K ${i + 2}`)),
  },
});

// CMake's configure of json-c with each as its make program: every try_compile check is one run of it
// (`--skip-configure` leaves it out: it takes longer than the rest together).
const skipConfigure = process.argv.includes('--skip-configure');
const configureMs = (label: string, makeProgram?: string) => timed(() => run('cmake', ['-S', jsonc, '-B', join(base, `configure-${label}`), '-G', 'Ninja', ...(makeProgram ? [`-DCMAKE_MAKE_PROGRAM=${makeProgram}`] : [])]));
const wrapper = (label: string, toolchainArgs: string) => {
  const file = join(base, `nomia-ninja-${label}`);
  writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${bin}' --store '${store}' ninja ${toolchainArgs} "$@"\n`, { mode: 0o755 });
  return file;
};
const configure = skipConfigure ? [] : [configureMs('ninja'), configureMs('exact', wrapper('exact', `--toolchain '${toolchain}'`)), configureMs('default', wrapper('default', ''))];

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`\nbench/cc, -j2 everywhere, load average at the end ${load}; toolchain ${toolchain.slice(0, 70)}…`);
print('json-c 0.16 (Debian source, CMake; make: CMake\'s Makefiles)', jsoncRows.list, jsoncRows.rows);
print(`generated project: ${MODULES} modules + main, one header in all (CMake; make: its own Makefile)`, genRows.list, genRows.rows);
if (!skipConfigure) console.log(`\nconfigure of json-c (cmake -G Ninja, one run each, the checks compiled for the first time in this store): ninja ${seconds(configure[0]!)}; nomia ninja --toolchain EXACT ${seconds(configure[1]!)} (${(configure[1]! / configure[0]!).toFixed(1)}×); nomia ninja, default toolchain ${seconds(configure[2]!)} (${(configure[2]! / configure[0]!).toFixed(1)}×)`);
// Through the native client, `nomia daemon` running on this store (cc-resident.ts).
await residentRows({ ...bench, env }, store, toolchain, [{ name: 'json-c', pristine: jsonc, cFile: 'arraylist.c' }, { name: 'generated project', pristine: gen, cFile: 'mod7.c' }]);
rmSync(base, { recursive: true, force: true });
