/**
 * bench/import: importing a 10 000-file tree again, through the stat cache,
 * side by side with git on the same tree.
 *
 * The tree: 100 directories of 100 small files. Measured, the median of 5
 * runs each: the tree imported again unchanged (`nomia add`, the real CLI
 * process, and `importPath` in-process, which leaves out Node's start),
 * against `git status` and `git add -A` with the index up to date; then after
 * one file changed (a different file each run), `nomia add` against
 * `git add -A`. A changed tree is a new object: nomia reads and copies the
 * whole tree (a NAR hash is one stream over every byte), where git hashes
 * the one file. On tmpfs (/dev/shm) unless `--dir DIR`; `--quick` uses 2 000
 * files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { importPath } from '../src/store/import-path.js';
import { openStore } from '../src/store/store.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dirArg = args.indexOf('--dir');
const base = mkdtempSync(join(dirArg >= 0 ? args[dirArg + 1]! : '/dev/shm', 'nomia-bench-import-'));
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const FILES = quick ? 2_000 : 10_000;
const PER_DIR = 100;
const RUNS = 5;

function makeTree(root: string): void {
  for (let d = 0; d < FILES / PER_DIR; d++) {
    mkdirSync(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) {
      const fd = openSync(join(root, `d${d}`, `f${f}.txt`), 'w');
      writeSync(fd, `content ${d} ${f}\n`.repeat(1 + (f % 40)));
      closeSync(fd);
    }
  }
}

function time(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return s;
}

/** Wait into the next second, so that what was just written is not racy for nomia or git. */
function settle(): void {
  const next = (Math.floor(Date.now() / 1000) + 1) * 1000 + 50;
  while (Date.now() < next) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, next - Date.now());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (s: number) => `${(s * 1000).toFixed(1).padStart(8)} ms`;
const row = (label: string, ours: number, peerLabel: string, peer: number) =>
  console.log(`  ${label.padEnd(34)} ${ms(ours)}   ${peerLabel.padEnd(12)} ${ms(peer)}   nomia / git = ${(ours / peer).toFixed(2)}×`);

async function main(): Promise<void> {
  console.log(`bench/import — node ${process.version}, ${FILES} files, under ${base}`);
  const tree = join(base, 'tree');
  const store = join(base, 'store');
  const gitDir = join(base, 'git');
  makeTree(tree);
  settle();
  const nomia = ['--store', store, 'add', tree];
  const git = (...a: string[]) => ['--git-dir', gitDir, '--work-tree', tree, ...a];
  const first = time(process.execPath, [bin, ...nomia]);
  execFileSync('git', ['init', '-q', '--bare', gitDir]);
  const gitFirst = time('git', git('add', '-A'));
  settle();
  // Once more each, so that entries written in the tree's second are refreshed (nomia's racy rule, git's racily clean entries).
  time(process.execPath, [bin, ...nomia]);
  time('git', git('status', '--porcelain'));
  console.log(`  first import (everything read and copied)  nomia add ${ms(first)}   git add -A ${ms(gitFirst)}`);

  console.log('\nunchanged tree, imported again');
  const again = median(Array.from({ length: RUNS }, () => time(process.execPath, [bin, ...nomia])));
  const s = openStore({ dir: store });
  const inProcess = median(await Promise.all(Array.from({ length: RUNS }, () => 0).map(async () => {
    const t0 = performance.now();
    const r = await importPath(s, tree);
    if (r.read) throw new Error('the stat cache did not answer an unchanged tree');
    return (performance.now() - t0) / 1000;
  })));
  s.close();
  const status = median(Array.from({ length: RUNS }, () => time('git', git('status', '--porcelain'))));
  const addNoop = median(Array.from({ length: RUNS }, () => time('git', git('add', '-A'))));
  row('nomia add (CLI process)', again, 'git status', status);
  row('nomia add (CLI process)', again, 'git add -A', addNoop);
  row('importPath (in-process, no start)', inProcess, 'git status', status);

  console.log('\none file changed, imported again');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    appendFileSync(join(tree, `d${i}`, 'f0.txt'), `changed ${i}\n`);
    ours.push(time(process.execPath, [bin, ...nomia]));
    theirs.push(time('git', git('add', '-A')));
  }
  row('nomia add (reads and copies all)', median(ours), 'git add -A', median(theirs));
}

try {
  await main();
} finally {
  spawnSync('rm', ['-rf', base]);
}
