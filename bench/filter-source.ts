/**
 * bench/filter-source: deciding what a tree's .gitignore files keep, side by
 * side with git deciding the same.
 *
 * A source-like tree (default 20 000 files in 200 directories, a root
 * .gitignore of typical patterns and a nested one per 10 directories; about
 * a third of the files ignored, and some whole directories). Timed, median
 * of 5: the filter's walk and match in this process (`keptEntries`), and
 * `git ls-files --others --exclude-standard` in a fresh repository of the
 * same tree (a child process, as a user would run it), which lists the same
 * paths. Then one `nomia realize` of `filter-source:by-gitignore` over the
 * tree already in the store (walk, links, add of the result), for scale.
 * `--quick` uses 2 000 files. On tmpfs (/dev/shm) unless `--dir DIR`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { keptEntries } from '../src/namespaces/filter-source/filter.js';

const args = process.argv.slice(2);
const files = args.includes('--quick') ? 2_000 : 20_000;
const dirArg = args.indexOf('--dir');
const base = mkdtempSync(join(dirArg >= 0 ? args[dirArg + 1]! : '/dev/shm', 'nomia-bench-filter-'));
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const gitEnv = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

function makeTree(root: string): void {
  const dirs = files / 100;
  writeFileSync(join(root, '.gitignore'), ['*.o', '*.log', '/build/', 'node_modules/', '**/tmp/**', '!keep.log', '*.[ab]', ''].join('\n'));
  for (let d = 0; d < dirs; d++) {
    const kind = d % 20 === 0 ? 'build' : d % 20 === 1 ? 'node_modules' : `src${d}`;
    const dir = join(root, kind === 'build' && d > 0 ? `lib${d}/build` : kind === 'node_modules' ? `pkg${d}/node_modules` : kind);
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    if (d % 10 === 2) writeFileSync(join(dir, '.gitignore'), '!*.a\ngenerated-*\n');
    for (let f = 0; f < 100; f++) {
      const ext = ['c', 'h', 'o', 'log', 'a', 'txt', 'c', 'c'][f % 8]!;
      const name = f % 25 === 0 ? `generated-${f}.c` : f % 33 === 0 ? 'keep.log' : `f${f}.${ext}`;
      writeFileSync(join(f % 17 === 0 ? join(dir, 'tmp') : dir, name), `${d}/${f}\n`);
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => void, runs = 5): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

try {
  const tree = join(base, 'tree');
  mkdirSync(tree);
  makeTree(tree);
  spawnSync('git', ['init', '-q', '--template=', tree], { env: gitEnv });
  let kept = 0;
  const ours = time(() => {
    kept = keptEntries(tree).entries.length;
  });
  let listed = 0;
  const git = time(() => {
    const r = spawnSync('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: tree, env: gitEnv, maxBuffer: 1 << 30 });
    listed = r.stdout.toString('latin1').split('\0').filter(Boolean).length;
  });
  if (kept !== listed) throw new Error(`the filter keeps ${kept} paths, git lists ${listed}`);
  console.log(`tree: ${files} files, ${kept} kept by both`);
  console.log(`filter walk + match (in process)      ${ours.toFixed(1)} ms`);
  console.log(`git ls-files -o --exclude-standard     ${git.toFixed(1)} ms`);
  console.log(`ratio filter / git                     ${(ours / git).toFixed(2)}`);

  rmSync(join(tree, '.git'), { recursive: true, force: true });
  const store = join(base, 'store');
  const run = (a: string[]) => spawnSync(process.execPath, [bin, '--store', store, ...a], { encoding: 'utf8', env: { ...gitEnv, NOMIA_FSYNC: '0' } });
  const added = run(['add', tree]);
  if (added.status !== 0) throw new Error(added.stderr);
  const t0 = performance.now();
  const realized = run(['realize', '--log-format', 'plain', `filter-source:by-gitignore(${added.stdout.trim()})`]);
  const full = performance.now() - t0;
  if (realized.status !== 0) throw new Error(realized.stderr);
  console.log(`nomia realize filter-source:by-gitignore (whole CLI run, result added to the store)  ${full.toFixed(0)} ms`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
