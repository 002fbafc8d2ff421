/**
 * bench/git: `git:exact-fetch` of a generated repository of 5 000 files,
 * through the real CLI, side by side with `git clone` + `git archive` of the
 * same revision, in the same run, everything under /dev/shm.
 *
 * Three situations, each the median of several runs:
 * - cold: an empty store (nomia creates the repository cache, fetches,
 *   writes the tree and adds it) against a fresh `git clone --bare` and
 *   `git archive REV | tar -x`;
 * - warm: the same name again (nomia: one lookup of a recorded reduction),
 *   and the same revision under another object name (nomia: the cache has
 *   the commit, so no fetch, only the tree written and added), against
 *   `git archive | tar -x` from the existing clone;
 * - one new commit (one file changed): nomia fetches that commit into its
 *   cache and stores the new tree, against `git fetch` + `git archive | tar -x`.
 * Both sides reach the repository through file:// (the pack protocol).
 * The first cold result is checked against nix-hash of the peer's tree.
 * `--quick`: 1 000 files, 3 runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const FILES = quick ? 1_000 : 5_000;
const RUNS = quick ? 3 : 5;
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-git-'));
const env: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Deterministic text of `n` bytes, different for every seed. */
function text(seed: number, n: number): string {
  const words = ['int', 'return', 'static', 'void', 'struct', 'const', 'char', 'if', 'else', 'for', 'while', '{', '}', '(', ')', ';', 'x', 'y', 'buf', 'len'];
  let s = '';
  let r = seed * 2654435761 >>> 0;
  while (s.length < n) {
    r = (r * 1103515245 + 12345) >>> 0;
    s += words[r % words.length] + ((r >>> 8) % 9 === 0 ? '\n' : ' ');
  }
  return `${s.slice(0, n - 1)}\n`;
}

/** A git fast-import stream: one commit of FILES files (50 per directory, a few executables and symlinks). */
function initialImport(): string {
  const out: string[] = [];
  const entries: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = `src/d${String(Math.floor(i / 50)).padStart(3, '0')}/f${String(i).padStart(5, '0')}.c`;
    if (i % 500 === 7) {
      entries.push(`M 120000 inline ${path}.link`, `data ${`f${String(i).padStart(5, '0')}.c`.length}`, `f${String(i).padStart(5, '0')}.c`);
    }
    const body = text(i, 100 + ((i * 7919) % 3900));
    out.push('blob', `mark :${i + 1}`, `data ${Buffer.byteLength(body)}`, body);
    entries.push(`M ${i % 100 === 0 ? '100755' : '100644'} :${i + 1} ${path}`);
  }
  out.push('commit refs/heads/main', 'author Bench <b@example.org> 1700000000 +0000', 'committer Bench <b@example.org> 1700000000 +0000', 'data 8', 'initial', ...entries, '');
  return out.join('\n');
}

/** One more commit on main that changes one file. */
function nextCommit(n: number): string {
  const body = text(1_000_000 + n, 1500);
  return ['commit refs/heads/main', `author Bench <b@example.org> ${1700000000 + n} +0000`, `committer Bench <b@example.org> ${1700000000 + n} +0000`,
    `data ${`change ${n}`.length}`, `change ${n}`, 'from refs/heads/main^0', `M 100644 inline src/d000/f${String(n % FILES).padStart(5, '0')}.c`, `data ${Buffer.byteLength(body)}`, body, ''].join('\n');
}

function git(args: string[], input?: string): string {
  return execFileSync('git', args, { env, input: input ?? '', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
}

/** Seconds taken by a command, which must succeed. */
function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 5).join(' ')} failed: ${String(r.stderr).slice(-2000)}`);
  return s;
}

function nomia(store: string, name: string): { s: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--store', store, 'realize', '--log-format', 'plain', name], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`nomia realize ${name} failed: ${r.stderr.slice(-2000)}`);
  return { s, out: r.stdout };
}

/** `git archive REV | tar -x` from the clone `clone` into a fresh directory; seconds. */
function archive(clone: string, rev: string, into: string): number {
  mkdirSync(into);
  return time('sh', ['-c', 'git --git-dir "$1" archive --format=tar "$2" | tar -x -C "$3"', 'sh', clone, rev, into]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (s: number) => `${s.toFixed(3).padStart(7)} s`;

const repo = join(dir, 'repo.git');
git(['init', '--quiet', '--bare', '--initial-branch=main', repo]);
git(['--git-dir', repo, 'fast-import', '--quiet'], initialImport());
const rev = git(['--git-dir', repo, 'rev-parse', 'main']);
const url = `file://${repo}`;
const exact = (r: string, extra = '') => `git:exact-fetch?repo=${url}&rev=${r}${extra}`;
console.log(`bench/git — node ${process.version}, ${git(['--version'])}, a repository of ${FILES} files (${RUNS} runs each, medians), under ${dir}`);

// Cold.
const cold: number[] = [];
const coldPeer: number[] = [];
let firstOut = '';
let firstPeerTree = '';
for (let i = 0; i < RUNS; i++) {
  const r = nomia(join(dir, `cold-store-${i}`), exact(rev));
  cold.push(r.s);
  if (i === 0) firstOut = r.out;
  const clone = join(dir, `cold-clone-${i}`);
  const t0 = performance.now();
  time('git', ['clone', '--quiet', '--bare', url, clone]);
  archive(clone, rev, join(dir, `cold-tree-${i}`));
  coldPeer.push((performance.now() - t0) / 1000);
  if (i === 0) firstPeerTree = join(dir, `cold-tree-${i}`);
}
const hasNixHash = spawnSync('sh', ['-c', 'command -v nix-hash'], { stdio: 'ignore' }).status === 0;
if (hasNixHash) {
  const ours = /sha256=([0-9a-f]{64})/.exec(firstOut)?.[1];
  const theirs = execFileSync('nix-hash', ['--type', 'sha256', firstPeerTree]).toString().trim();
  if (ours !== theirs) throw new Error(`the fetched tree differs from git archive's: ${ours} vs ${theirs}`);
}

// Warm: store 0 and clone 0 have the revision.
const store = join(dir, 'cold-store-0');
const clone = join(dir, 'cold-clone-0');
const lookup = median(Array.from({ length: RUNS }, () => nomia(store, exact(rev)).s));
const fromCache = median(Array.from({ length: RUNS }, (_, i) => nomia(store, exact(rev, `&name=copy${i}`)).s));
const warmPeer = median(Array.from({ length: RUNS }, (_, i) => archive(clone, rev, join(dir, `warm-tree-${i}`))));

// One new commit each time: fetched incrementally by both.
const incr: number[] = [];
const incrPeer: number[] = [];
for (let i = 0; i < RUNS; i++) {
  git(['--git-dir', repo, 'fast-import', '--quiet'], nextCommit(i + 1));
  const next = git(['--git-dir', repo, 'rev-parse', 'main']);
  incr.push(nomia(store, exact(next)).s);
  const t0 = performance.now();
  time('git', ['--git-dir', clone, 'fetch', '--quiet', url, '+refs/heads/*:refs/heads/*']);
  archive(clone, next, join(dir, `incr-tree-${i}`));
  incrPeer.push((performance.now() - t0) / 1000);
}

const row = (label: string, ours: number, peerLabel: string, peer: number) =>
  console.log(`  ${label.padEnd(34)} nomia ${fmt(ours)}   ${peerLabel.padEnd(26)} ${fmt(peer)}   nomia / git = ${(ours / peer).toFixed(2)}×`);
row('cold (empty store)', median(cold), 'clone --bare + archive|tar', median(coldPeer));
row('warm: same name again (lookup)', lookup, 'archive|tar from clone', warmPeer);
row('warm: commit cached, new object', fromCache, 'archive|tar from clone', warmPeer);
row('one new commit (incremental)', median(incr), 'fetch + archive|tar', median(incrPeer));
console.log(`  the fetched tree's NAR hash equals nix-hash of git archive's: ${hasNixHash ? 'checked' : 'not checked (no nix-hash)'}`);
console.log(`  nomia times are whole CLI processes (node start-up, store open) and include adding the tree to the store`);
rmSync(dir, { recursive: true, force: true });
