/**
 * bench/query: `why-depends` over a store of 10 000 objects (issue 20; target under 50 ms), beside
 * `nix why-depends` over the same graph in a Nix store.
 *
 * The graph: object i refers to 1–4 objects of lower index (pseudo-random, fixed seed) and always to
 * i - 1, so the newest object's closure is the whole store and the oldest is the farthest from it.
 * Objects are registered through the store's database in one transaction (the query reads only the
 * references, so no object has content on disk); Nix gets the same graph through
 * `nix-store --register-validity --hash-given` into a store of its own under /dev/shm (tiny files,
 * since Nix stats each path it registers).
 *
 * Printed: the in-process query (the library call, median of 20), the whole CLI process (node's
 * start-up included, median of 5), and `nix why-depends` (median of 5); for the shortest chain from the
 * newest to the oldest object, and for an object outside the closure; in process also the worst case
 * for the search from both ends (no chain, and half the store reached from each end).
 * `--quick`: 2 000 objects.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeBase32 } from '../src/store/base32.js';
import { contentHashFromDigest } from '../src/store/hash.js';
import { whyDepends } from '../src/store/queries/why-depends.js';
import { objectPath } from '../src/store/store-path.js';
import { openStore } from '../src/store/store.js';

const quick = process.argv.includes('--quick');
const N = quick ? 2_000 : 10_000;
const bin = fileURLToPath(new URL('../../bin/nomia.js', import.meta.url));
const dir = mkdtempSync(join('/dev/shm', 'nomia-bench-query-'));

/** A fixed pseudo-random sequence (xorshift), so every run builds the same graph. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** For each object, the indices it refers to: i - 1 and up to 3 more of lower index. The last object stands apart. */
function graph(): number[][] {
  const next = random(20);
  const refs: number[][] = [];
  for (let i = 0; i < N; i++) {
    const own = new Set<number>();
    if (i > 0) own.add(i - 1);
    for (let k = Math.floor(next() * 4); k > 0 && i > 1; k--) own.add(Math.floor(next() * (i - 1)));
    refs.push(i === N - 1 ? [] : [...own]);
  }
  return refs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

function timeRuns(k: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < k; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function nomiaStore(refs: readonly number[][]): string[] {
  const store = openStore({ dir: join(dir, 'nomia'), fsync: false });
  const paths = refs.map((_, i) => {
    const hash = contentHashFromDigest(createHash('sha256').update(`object ${i}`).digest());
    return objectPath(hash, `obj-${i}`);
  });
  const t0 = performance.now();
  store.db.immediate(() => {
    refs.forEach((own, i) => {
      const hash = contentHashFromDigest(createHash('sha256').update(`object ${i}`).digest());
      store.db.insertObject({ path: paths[i]!, hash, name: `obj-${i}`, narSize: 120, addedAt: Date.now() }, own.map((r) => paths[r]!));
    });
  });
  console.log(`nomia store: ${N} objects, ${refs.reduce((s, r) => s + r.length, 0)} references, registered in ${ms(performance.now() - t0)}`);
  const top = paths[N - 2]!;
  const inProcess = (to: string) => timeRuns(20, () => whyDepends(store, [top], to));
  const found = whyDepends(store, [top], paths[0]!).path;
  console.log(`  shortest chain newest → oldest: ${found?.length} objects`);
  console.log(`  in process: to the oldest ${ms(inProcess(paths[0]!))}, to an object outside the closure ${ms(inProcess(paths[N - 1]!))}`);
  // The hard case: the middle object's closure is half the store, and the next one up is not in it but
  // has the other half as referrers; both sides of the search grow until one runs dry.
  const mid = Math.floor(N / 2);
  console.log(`  in process, worst case (object ${mid} → object ${mid + 1}, no chain, half the store on each side): ${ms(timeRuns(5, () => whyDepends(store, [paths[mid]!], paths[mid + 1]!)))}`);
  store.close();
  return paths;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { ms: number; status: number | null; err: string } {
  const t0 = performance.now();
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, status: r.status, err: r.error?.message ?? r.stderr };
}

function medianCli(args: readonly string[], okStatus: number): number | string {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = cli(args);
    if (r.status !== okStatus) return `failed (${r.status}): ${r.err.trim().split('\n').slice(-2).join(' / ')}`;
    times.push(r.ms);
  }
  return median(times);
}

/** The same graph in a Nix store of its own; undefined (with the reason printed) when Nix cannot run here. */
function nixStore(refs: readonly number[][]): { store: string; paths: string[] } | undefined {
  const storeDir = join(dir, 'nix', 'store');
  mkdirSync(storeDir, { recursive: true });
  const paths = refs.map((_, i) => `${storeDir}/${encodeBase32(createHash('sha1').update(`object ${i}`).digest())}-obj-${i}`);
  for (const p of paths) writeFileSync(p, 'x\n');
  const zero = '0'.repeat(64);
  const input = refs.map((own, i) => [paths[i], zero, '120', '', String(own.length), ...own.map((r) => paths[r])].join('\n')).join('\n');
  const store = `local?store=${storeDir}&state=${join(dir, 'nix', 'state')}&log=${join(dir, 'nix', 'log')}`;
  const t0 = performance.now();
  const r = spawnSync('nix-store', ['--store', store, '--option', 'substituters', '', '--register-validity', '--hash-given'], { input: `${input}\n`, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.log(`nix: cannot register the graph here (${r.error?.message ?? r.stderr.trim().split('\n').at(-1)}); no peer figure`);
    return undefined;
  }
  console.log(`nix store: the same graph, registered in ${ms(performance.now() - t0)}`);
  return { store, paths };
}

console.log(`bench/query: why-depends over ${N} objects, on /dev/shm`);
const refs = graph();
const paths = nomiaStore(refs);
const nomiaCli = (to: string, status: number) => medianCli([process.execPath, bin, '--store', join(dir, 'nomia'), 'why-depends', '--json', join(dir, 'nomia', 'store', paths[N - 2]!), join(dir, 'nomia', 'store', to)], status);
const ours = { oldest: nomiaCli(paths[0]!, 0), outside: nomiaCli(paths[N - 1]!, 1) };
const show = (x: number | string) => (typeof x === 'number' ? ms(x) : x);
console.log(`  nomia why-depends (CLI process): to the oldest ${show(ours.oldest)}, outside the closure ${show(ours.outside)}`);
const startup = medianCli([process.execPath, '-e', ''], 0);
console.log(`  (node's own start-up: ${show(startup)})`);
const nix = nixStore(refs);
if (nix) {
  const nixCli = (to: string, status: number) => medianCli(['nix', '--extra-experimental-features', 'nix-command', '--option', 'substituters', '', '--store', nix.store, 'why-depends', nix.paths[N - 2]!, to], status);
  const theirs = { oldest: nixCli(nix.paths[0]!, 0), outside: nixCli(nix.paths[N - 1]!, 0) };
  console.log(`  nix why-depends (CLI process): to the oldest ${show(theirs.oldest)}, outside the closure ${show(theirs.outside)}`);
  if (typeof ours.oldest === 'number' && typeof theirs.oldest === 'number') console.log(`ratio nomia/nix (CLI, to the oldest): ${(ours.oldest / theirs.oldest).toFixed(2)}×`);
}
