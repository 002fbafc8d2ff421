/**
 * bench/ninja: json-c 0.16 (Debian's source), configured by CMake for
 * Ninja, built by `nomia ninja` (a store that holds the toolchain, nothing
 * compiled) beside the real `ninja` in another build directory of the same
 * sources. Scenarios: cold, no-op, a comment appended to one `.c` file.
 * Medians of 3 runs, except cold (1). Both with -j2.
 */
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner, timed } from './measure.js';

const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'nomia-bench-ninja-'));
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base, LANG: 'C' };
const store = join(base, 'store');

const run = runner(env, base);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const nomia = (...args: string[]) => run(process.execPath, [bin, '--store', store, ...args]);
const toolchain = nomia('realize', '--log-format', 'plain', 'deb:closure?packages=[cmake, gcc, libc6-dev]').split('\n')[0]!;
const source = join(base, 'json-c');
cpSync(nomia('realize', '--log-format', 'plain', 'deb:source?package=json-c').split('\n')[1]!, source, { recursive: true });
run('chmod', ['-R', 'u+w', source]);
for (const b of ['nomia-build', 'ninja-build']) run('cmake', ['-S', source, '-B', join(base, b), '-G', 'Ninja']);

const tools = {
  nomia: () => nomia('ninja', '-C', join(base, 'nomia-build'), '-j', '2', '--toolchain', toolchain, '--log-format', 'plain'),
  ninja: () => run('ninja', ['-C', join(base, 'ninja-build'), '-j', '2']),
};
const rows: [string, number, number][] = [];
const scenario = (label: string, times: number, before: () => void = () => undefined) => {
  const t = { nomia: [] as number[], ninja: [] as number[] };
  for (let i = 0; i < times; i++) {
    for (const k of ['nomia', 'ninja'] as const) {
      before();
      t[k].push(timed(tools[k]));
    }
  }
  rows.push([label, median(t.nomia), median(t.ninja)]);
};
scenario('cold (toolchain in the store)', 1);
scenario('no-op', 3);
let n = 0;
// One comment per run, appended before each tool runs: both see one changed file.
scenario('comment appended to arraylist.c', 3, () => appendFileSync(join(source, 'arraylist.c'), `/* ${n++} */\n`));

const load = run('cat', ['/proc/loadavg']).split(' ')[0];
console.log(`bench/ninja: json-c 0.16, -j2 (load average ${load})`);
console.log('| scenario | nomia ninja | ninja | ratio |');
console.log('|---|---|---|---|');
for (const [label, a, b] of rows) console.log(`| ${label} | ${(a / 1000).toFixed(2)} s | ${(b / 1000).toFixed(2)} s | ${(a / b).toFixed(1)} |`);
