/**
 * bench/deb: `deb:closure?packages=[gcc, make, libc6-dev]` realized cold
 * (a fresh store whose index of the archive is already fetched) and warm
 * (everything in the store), side by side with what a user does by hand:
 * `apt-get download` of the same package files, then `dpkg-deb -x` of each
 * into one directory. Both run as child processes of this one, against the
 * same archive; the figures are the medians of 3 runs (cold: of 1, the
 * archive is the bottleneck and is not to be hammered).
 *
 * A third pair takes the network out: the same package files, already
 * downloaded, unpacked into a fresh store against `dpkg-deb -x` of each.
 *
 * Targets (issue 16): cold ≤ 1.2× the peer; warm ≤ 0.1 s, for the locked
 * exact name and for the contextual name (answered from the memo while the
 * index, apt's configuration and the index's age allow: docs/namespaces/deb.md,
 * "Warm: the memo"; the median of 3 takes the run that re-keeps a memo made
 * racy by the index's fetch as the odd one out). The machine's load
 * average is printed before and after: on a shared machine it says how far
 * to trust the figures.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timed } from './measure.js';

const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const CLOSURE = 'deb:closure?packages=[gcc, make, libc6-dev]';
const base = mkdtempSync(join(tmpdir(), 'nomia-bench-deb-'));
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base, LANG: 'C' };

function run(cmd: string, args: readonly string[], cwd = base): string {
  const r = spawnSync(cmd, args, { cwd, env, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function median(f: () => void, n = 3): number {
  return Array.from({ length: n }, () => timed(f)).sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

const nomia = (store: string, ...args: string[]) => run(process.execPath, [bin, '--store', store, ...args]);
const row = (label: string, ours: number, peer: number) =>
  console.log(`${label.padEnd(34)} nomia ${(ours / 1000).toFixed(2).padStart(7)} s   apt-get download + dpkg-deb -x ${(peer / 1000).toFixed(2).padStart(7)} s   ratio ${(ours / peer).toFixed(2)}`);

const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
console.log(`load average before: ${load()}`);
const store = join(base, 'store');
// The index of the archive is fetched first, as the peer's (the system's) already is.
const index = timed(() => nomia(store, 'realize', 'deb:latest?package=hello'));
const cold = timed(() => nomia(store, 'realize', CLOSURE));
const lock = nomia(store, 'reductions', CLOSURE).split('\n').find((l) => l.startsWith('  => deb:root('))!.slice(5);
const packages = [...lock.matchAll(/deb:exact\?package=([^&]+)&version=([^&]+)&arch=([^&]+)&/g)].map((m) => `${m[1]}:${m[3]}=${m[2]!.replace(/^"|"$/g, '')}`);

function peer(): void {
  const dir = join(base, `peer-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'debs'), { recursive: true });
  run('apt-get', ['download', '-qq', ...packages], join(dir, 'debs'));
  for (const deb of readdirSync(join(dir, 'debs'))) run('dpkg-deb', ['-x', join(dir, 'debs', deb), join(dir, 'root')]);
  rmSync(dir, { recursive: true, force: true });
}

const peerCold = timed(peer);

/**
 * Unpacking alone, with the network out of the figure (on a shared machine
 * the archive's speed moves more than anything measured here): the same
 * package files, downloaded once, are staged in a fresh store as an exited
 * process leaves them (docs/namespaces/deb.md), and the locked name is
 * realized from them; the peer is `dpkg-deb -x` of the same files. Each
 * side's median of 3, a fresh store (and a fresh directory) each time.
 */
const debs = join(base, 'debs');
mkdirSync(debs);
run('apt-get', ['download', '-qq', ...packages], debs);
function unpackOnly(): number {
  const home = join(base, `staged-${Math.random().toString(36).slice(2)}`);
  const staged = join(home, 'cache', 'deb', 'staged', '999999999-1');
  mkdirSync(staged, { recursive: true });
  for (const deb of readdirSync(debs)) copyFileSync(join(debs, deb), join(staged, `${createHash('sha256').update(readFileSync(join(debs, deb))).digest('hex')}.deb`));
  const ms = timed(() => nomia(home, 'realize', lock));
  rmSync(home, { recursive: true, force: true });
  return ms;
}
function dpkgOnly(): void {
  const root = join(base, `root-${Math.random().toString(36).slice(2)}`);
  for (const deb of readdirSync(debs)) run('dpkg-deb', ['-x', join(debs, deb), root]);
  rmSync(root, { recursive: true, force: true });
}
const unpackOurs = median(unpackOnly);
const unpackPeer = median(dpkgOnly);
console.log(`${CLOSURE}: ${packages.length} packages; fetching the index into a fresh store took ${(index / 1000).toFixed(2)} s`);
row('cold (fresh store)', cold, peerCold);
console.log(`${'unpack only (files downloaded)'.padEnd(34)} nomia ${(unpackOurs / 1000).toFixed(2).padStart(7)} s   dpkg-deb -x ${(unpackPeer / 1000).toFixed(2).padStart(26)} s   ratio ${(unpackOurs / unpackPeer).toFixed(2)}`);
const warm = median(() => nomia(store, 'realize', CLOSURE));
const warmLock = median(() => nomia(store, 'realize', lock));
row('warm, the contextual name', warm, peerCold);
row('warm, the locked exact name', warmLock, peerCold);
// What any Node CLI pays before its first line runs: the floor under the warm figures.
const bare = median(() => run(process.execPath, ['-e', '0']));
console.log(`${'node -e 0 (start-up alone)'.padEnd(34)}       ${(bare / 1000).toFixed(2).padStart(7)} s`);
console.log(`load average after: ${load()}`);
rmSync(base, { recursive: true, force: true });
