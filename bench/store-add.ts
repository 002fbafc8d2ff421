/**
 * bench/store-add: adding trees to the store, side by side with Nix and git.
 *
 * Trees: 10 000 small files; 1 000 files of 1 MB; one 1 GiB file. For each,
 * in one run: `nomia add` (a fresh store each time, the real CLI process),
 * `nix-store --add` into a fresh chroot store (`--store DIR`, Debian's Nix),
 * and `git add -A` into a fresh repository; the median of 3 runs each, and
 * the ratios. Then hashing throughput on the 1 GiB file: nomia's NAR hash
 * (in-process), `nix-hash`, and `sha256sum`.
 *
 * Everything runs on tmpfs (/dev/shm) by default, because this machine's
 * disk varies several-fold from run to run; `--dir DIR` runs on a disk
 * instead, where `nomia add`'s fsync (Nix does not fsync) also shows.
 * `--quick` uses smaller trees. Targets (issue 3): nomia add ≥ 1.5× faster
 * than nix-store --add on the small-file tree; within 10 % of sha256sum on
 * the big file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { hashPath } from '../src/store/nar.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dirArg = args.indexOf('--dir');
const base = mkdtempSync(join(dirArg >= 0 ? args[dirArg + 1]! : '/dev/shm', 'nomia-bench-'));
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function makeSmall(root: string, count: number): void {
  const perDir = 100;
  for (let d = 0; d < count / perDir; d++) {
    mkdirSync(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < perDir; f++) {
      const fd = openSync(join(root, `d${d}`, `f${f}.txt`), 'w');
      writeSync(fd, `content ${d} ${f}\n`.repeat(1 + (f % 40)));
      closeSync(fd);
    }
  }
}

function makeFiles(root: string, count: number, size: number): void {
  mkdirSync(root, { recursive: true });
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < count; i++) {
    randomFillSync(buf);
    const fd = openSync(join(root, `blob${i}`), 'w');
    writeSync(fd, buf);
    closeSync(fd);
  }
}

function makeBig(path: string, size: number): void {
  const chunk = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'w');
  for (let left = size; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  }
  closeSync(fd);
}

function timed(setup: () => void, cmd: string, argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  setup();
  execFileSync('sync');
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26, ...opts });
  const t = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (s: number) => `${s.toFixed(3)} s`;

function compare(label: string, tree: string, runs = 3): void {
  const nomia: number[] = [];
  const nomiaNoSync: number[] = [];
  const nix: number[] = [];
  const git: number[] = [];
  for (let i = 0; i < runs; i++) {
    const store = join(base, 'nomia-store');
    nomia.push(timed(() => rmSync(store, { recursive: true, force: true }), process.execPath, [bin, '--store', store, 'add', tree]));
    nomiaNoSync.push(timed(() => rmSync(store, { recursive: true, force: true }), process.execPath, [bin, '--store', store, 'add', tree], { env: { ...process.env, NOMIA_FSYNC: '0' } }));
    if (has('nix-store')) {
      const nixRoot = join(base, 'nix-root');
      nix.push(timed(() => spawnSync('rm', ['-rf', nixRoot]), 'nix-store', ['--store', nixRoot, '--add', tree]));
    }
    if (has('git')) {
      const gitDir = join(base, 'git-dir');
      git.push(timed(() => { rmSync(gitDir, { recursive: true, force: true }); execFileSync('git', ['init', '-q', '--bare', gitDir]); },
        'git', ['--git-dir', gitDir, '--work-tree', tree, 'add', '-A']));
    }
  }
  const n = median(nomia);
  console.log(`\n${label}`);
  console.log(`  nomia add                 ${fmt(n)}`);
  console.log(`  nomia add (fsync off)     ${fmt(median(nomiaNoSync))}`);
  if (nix.length) console.log(`  nix-store --add           ${fmt(median(nix))}   nix / nomia = ${(median(nix) / n).toFixed(2)}×`);
  else console.log('  nix-store --add           (nix-store not installed)');
  if (git.length) console.log(`  git add                   ${fmt(median(git))}   git / nomia = ${(median(git) / n).toFixed(2)}×`);
}

async function hashing(file: string, size: number): Promise<void> {
  await hashPath(file);
  const t0 = performance.now();
  await hashPath(file);
  const ours = (performance.now() - t0) / 1000;
  const sha = timed(() => undefined, 'sha256sum', [file]);
  const nixHash = has('nix-hash') ? timed(() => undefined, 'nix-hash', ['--type', 'sha256', file]) : undefined;
  const gb = size / 1e9;
  console.log(`\nhashing the ${(size / (1 << 20)).toFixed(0)} MiB file (page cache)`);
  console.log(`  nomia NAR hash (in-process)  ${fmt(ours)}  ${(gb / ours).toFixed(2)} GB/s`);
  console.log(`  sha256sum                    ${fmt(sha)}  ${(gb / sha).toFixed(2)} GB/s   sha256sum / nomia = ${(sha / ours).toFixed(2)}×`);
  if (nixHash !== undefined) console.log(`  nix-hash --type sha256       ${fmt(nixHash)}  ${(gb / nixHash).toFixed(2)} GB/s`);
}

async function main(): Promise<void> {
  console.log(`bench/store-add — node ${process.version}, ${quick ? 'quick' : 'full'} run, trees under ${base}`);
  const small = join(base, 'small');
  makeSmall(small, quick ? 2_000 : 10_000);
  compare(`${quick ? 2_000 : 10_000} small files`, small);
  rmSync(small, { recursive: true, force: true });
  const medium = join(base, 'medium');
  makeFiles(medium, quick ? 100 : 1_000, 1_000_000);
  compare(`${quick ? 100 : 1_000} files of 1 MB`, medium);
  rmSync(medium, { recursive: true, force: true });
  const bigSize = quick ? 128 << 20 : 1 << 30;
  const bigDir = join(base, 'big');
  mkdirSync(bigDir);
  const big = join(bigDir, 'big.bin');
  makeBig(big, bigSize);
  // In a directory, because git adds work trees; one run, because git compresses a GiB slowly.
  compare(`one ${(bigSize / (1 << 20)).toFixed(0)} MiB file (in a directory)`, bigDir, quick ? 3 : 1);
  await hashing(big, bigSize);
  const sha = timed(() => undefined, 'sha256sum', [big]);
  const store = join(base, 'nomia-store');
  const add = timed(() => rmSync(store, { recursive: true, force: true }), process.execPath, [bin, '--store', store, 'add', big]);
  console.log(`  nomia add of the file       ${fmt(add)}   vs sha256sum ${fmt(sha)}: ${((add / sha - 1) * 100).toFixed(0)} % ${add <= sha ? 'faster' : 'slower'}`);
}

try {
  await main();
} finally {
  spawnSync('rm', ['-rf', base]);
}
