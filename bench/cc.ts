/**
 * bench/cc: zlib 1.2.13 (Debian's source) built through `cc` names — its
 * 15 library modules archived into libz.a and linked with test/example.c —
 * side by side with zlib's own `./configure --static && make -j2 libz.a
 * example`, and the same with `CC="ccache gcc"` (a fresh cache). Scenarios:
 * cold (for Nomia: a store that holds the toolchain, nothing compiled),
 * no-op, a comment appended to one `.c` file, a real change to one `.c`
 * file. Medians of 3 runs, except cold (1).
 *
 * The include tree Nomia's compiles take is the checkout without its `.c`
 * files (`filter-source:by-gitignore` with a `.gitignore` of `*.c`), so a
 * `.c` change does not rerun every module's header discovery
 * (docs/namespaces/cc.md).
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner, timed } from './measure.js';

const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'nomia-bench-cc-'));
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base, LANG: 'C' };
const store = join(base, 'store');

const run = runner(env, base);

const nomia = (...args: string[]) => run(process.execPath, [bin, '--store', store, ...args], base);
const realized = (name: string) => nomia('realize', '--log-format', 'plain', name).trim().split('\n');

const toolchain = realized('deb:closure?packages=[gcc, libc6-dev]')[0]!;
const source = realized('deb:source?package=zlib')[1]!;
const LIB = ['adler32', 'compress', 'crc32', 'deflate', 'gzclose', 'gzlib', 'gzread', 'gzwrite', 'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil'];
const FLAGS = '-O3, "-D_LARGEFILE64_SOURCE=1", -DHAVE_HIDDEN';

function checkout(dir: string): string {
  const at = join(base, dir);
  cpSync(source, at, { recursive: true });
  run('chmod', ['-R', 'u+w', at]);
  return at;
}

const ours = checkout('zlib');
writeFileSync(join(ours, '.gitignore'), '*.c\n');
const include = 'filter-source:by-gitignore(filesystem:import?path="./zlib")';
const compile = (file: string) => `cc:compile?args=[${FLAGS}](src: filesystem:import?path="./zlib/${file}", include: ${include}, toolchain: ${toolchain})`;
const program = `cc:link?name=example(${compile('test/example.c')}, cc:archive?name=libz.a(${LIB.map((m) => compile(`${m}.c`)).join(', ')}, toolchain: ${toolchain}), toolchain: ${toolchain})`;
const buildOurs = () => realized(program);

const makeDir = checkout('zlib-make');
const ccacheDir = checkout('zlib-ccache');
run('./configure', ['--static'], makeDir);
run('./configure', ['--static'], ccacheDir, { CC: 'ccache gcc', CCACHE_DIR: join(base, 'ccache') });
const make = (dir: string, extra: Record<string, string> = {}) => () => { run('make', ['-j2', 'libz.a', 'example'], dir, extra); };
const peers: [string, string, () => void][] = [
  ['nomia', ours, buildOurs],
  ['make -j2', makeDir, make(makeDir)],
  ['make -j2 + ccache', ccacheDir, make(ccacheDir, { CCACHE_DIR: join(base, 'ccache') })],
];

function scenario(label: string, change: ((dir: string, i: number) => void) | undefined, n: number): void {
  const cells = peers.map(([, dir, build]) => {
    const times = Array.from({ length: n }, (_, i) => {
      change?.(dir, i);
      return timed(build);
    }).sort((a, b) => a - b);
    return times[Math.floor(n / 2)]!;
  });
  console.log(`${label.padEnd(28)} ${cells.map((ms, i) => `${peers[i]![0]} ${(ms / 1000).toFixed(2).padStart(6)} s`).join('   ')}`);
}

console.log(`zlib 1.2.13 (15 modules + example), toolchain ${toolchain.slice(0, 60)}…`);
scenario('cold', undefined, 1);
scenario('no-op', undefined, 3);
scenario('comment in adler32.c', (dir, i) => appendFileSync(join(dir, 'adler32.c'), `/* bench ${i} */\n`), 3);
scenario('code change in adler32.c', (dir, i) => {
  const f = join(dir, 'adler32.c');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/#define BASE \d+U/, `#define BASE ${65521 - 2 * (i + 1)}U`));
}, 3);
rmSync(base, { recursive: true, force: true });
