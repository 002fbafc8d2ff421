/**
 * bench/cache: substituting a closure from an HTTP binary cache, against
 * curl fetching the same files from the same server in the same run, and
 * Nix substituting the same objects from the same cache.
 *
 * N objects of mixed sizes (default 1 000, ≈ 500 MB: every tenth 4 MiB, the
 * others 1 KiB–200 KiB) are added to a store A and pushed to a directory
 * that a real nginx on 127.0.0.1 serves. Then, each on a fresh target, best
 * of `--reps` (default 3) runs:
 *   - nomia: one signed record naming all N objects is looked up and its
 *     objects substituted into an empty store B over HTTP (streamed, checked
 *     through the store's import, restored on the restore threads), with
 *     fsync off as Nix's default, and once more with fsync on;
 *   - curl: one curl process GETs the same N NARs with keep-alive, to /dev/null
 *     (the strict peer: it only receives), and once more writing each to a
 *     file (`curl -o`, into a fresh directory on the same filesystem), since a
 *     substitution must store what it receives;
 *   - nix: `nix-store --store DIR --realise` of the objects' Nix paths with
 *     the cache as substituter and the key trusted, into a fresh chroot store
 *     (Nix 2.8 reads N `.narinfo`s, then downloads, checks and unpacks).
 * Then lookups, `--reps` rounds, each on records new to the process: 1 000 distinct one-object records (a
 * node's usual record), each fetched and its signature checked, one after the other on a warm connection;
 * 1 000 others 16 at once (sibling nodes of a graph are looked up concurrently: the measure the target is
 * held to, docs/cache.md "Which peer, which lookup"); 1 000 others all at once (a graph of 1 000
 * siblings); the first 1 000 again, one after the other (a record whose bytes were verified in this
 * process is not checked again); the GET alone. And the lookup of the whole closure's record (one per
 * substitution, however many objects; Nix reads one `.narinfo` per
 * object), per object. Prints wall time, CPU time (all threads; children's user +
 * system), MB/s, ratios and the load average (other work on the machine
 * skews every figure). Then the budget, in CPU time, which a shared machine
 * skews less than walls: the best substitution's CPU by thread (main, the
 * threads it started, the others) and nginx's; the floor of the work
 * (receiving, as curl's CPU; SHA-256 and file writes of the same sizes,
 * measured here); a lookup's parts (the GET alone, an ed25519 check). Targets (issue 18): ≥ 90 % of curl's throughput;
 * ≤ 0.2 ms per lookup; faster than Nix. `--quick`: 200 objects (≈ 100 MB),
 * one run. `--lookups`: the lookups only. Everything lives on /dev/shm.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSecretKey, parsePublicKey, parseSecretKey, signText, verifiedBy } from '../src/cache/keys.js';
import { nixFixedPath } from '../src/cache/narinfo.js';
import { narPath, recordPath } from '../src/cache/paths.js';
import { pushObjects, pushRecord } from '../src/cache/push.js';
import type { RecordObject } from '../src/cache/record.js';
import { Substituters } from '../src/cache/substituters.js';
import { openTransport } from '../src/cache/transport.js';
import { addPath } from '../src/store/add.js';
import { toHex } from '../src/store/hash.js';
import { parseObjectPath } from '../src/store/store-path.js';
import { openStore } from '../src/store/store.js';
import { startNginx } from '../test/support/nginx.js';
import { threadCpu, threadCpuSince, treeCpu } from './thread-cpu.js';

const quick = process.argv.includes('--quick');
/** Only the lookups: no substitution, curl or Nix runs. */
const lookupsOnly = process.argv.includes('--lookups');
const count = quick ? 200 : 1000;
const base = mkdtempSync(join('/dev/shm', 'nomia-bench-cache-'));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const mb = (bytes: number, s: number) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;

/** One timed run: wall and CPU seconds. */
interface Run { wall: number; cpu: number }

const best = <R extends Run>(runs: readonly R[]): R => runs.reduce((a, b) => (b.wall < a.wall ? b : a));
const reps = quick ? 1 : Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 3) || 3;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Run a command through bash, which reports its children's CPU time (`times`). Throws if it fails. */
function child(command: string): Run {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${command} >/dev/null 2>"$ERR" || { tail -3 "$ERR" >&2; exit 1; }; times`], { env: { ...process.env, ERR: join(base, 'child.err') }, maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${command.slice(0, 60)}…: ${r.stderr.toString().trim()}`);
  // `times` prints the shell's own times, then its children's: "0m1.234s 0m0.567s".
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout.toString().trim())!;
  return { wall, cpu: Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) };
}

/** Where a substitution's CPU went, in seconds: its main thread, the threads it started (restore), the others (libuv's pool, V8's), nginx. */
interface Budget { main: number; started: number; others: number; nginx: number }

/** Substitute the closure into a fresh store: the objects added, bytes, the run and its budget. */
async function substitute(url: string, publicKey: string, fsync: boolean, count: number, nginxPid: number): Promise<Run & { bytes: number; budget: Budget }> {
  rmSync(join(base, 'b'), { recursive: true, force: true });
  const b = openStore({ dir: join(base, 'b'), fsync });
  const subs = new Substituters({ substituters: [url], trustedKeys: [publicKey] });
  const c0 = process.cpuUsage();
  const threads0 = threadCpu();
  const nginx0 = treeCpu(nginxPid);
  const t0 = performance.now();
  try {
    const found = await subs.find(b, 'nomia1-bench', (m) => { throw new Error(m); });
    if (!found) throw new Error('the record was not found');
    const fetched = await subs.fetch(b, found);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const t = threadCpuSince(threads0);
    if (fetched.added !== count) throw new Error(`substituted ${fetched.added} of ${count}`);
    const budget = { main: t.main / 1000, started: t.started / 1000, others: t.others / 1000, nginx: (treeCpu(nginxPid) - nginx0) / 1000 };
    return { wall, cpu: (c.user + c.system) / 1e6, bytes: fetched.bytes, budget };
  } finally {
    subs.close();
    b.close();
  }
}

/** A lookup's cost in milliseconds: wall; CPU of the main thread, of the whole process (every thread: the signature checks on libuv's pool), of nginx. */
interface LookupCost { wall: number; cpu: number; all: number; nginx: number }

/** Milliseconds per lookup of the one-object records `nomia1-one<from…from+n-1>`: `parallel` at once. */
async function lookups(subs: Substituters, from: number, n: number, parallel: number, nginxPid: number): Promise<LookupCost> {
  const b = openStore({ dir: join(base, 'lookups'), fsync: false });
  const one = async (i: number) => {
    if (!(await subs.find(b, `nomia1-one${i}`, (m) => { throw new Error(m); }))) throw new Error(`no record nomia1-one${i}`);
  };
  try {
    let next = from;
    const c0 = threadCpu().get(process.pid) ?? 0;
    const p0 = process.cpuUsage();
    const n0 = treeCpu(nginxPid);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: parallel }, async () => { while (next < from + n) await one(next++); }));
    const wall = (performance.now() - t0) / n;
    const p = process.cpuUsage(p0);
    return { wall, cpu: ((threadCpu().get(process.pid) ?? 0) - c0) / n, all: (p.user + p.system) / 1000 / n, nginx: (treeCpu(nginxPid) - n0) / n };
  } finally {
    b.close();
  }
}

/** Lookups of the whole closure's record timed, the median taken. */
const CLOSURE_LOOKUPS = 5;

/** One-object records in each lookup measure. */
const LOOKUPS = 1000;

/**
 * Milliseconds (wall, and CPU of every thread, which a lone check leaves on the main one) of a lookup of
 * the closure's record, on a warm connection: the median of `CLOSURE_LOOKUPS` records `nomia1-closure<i>`.
 */
async function closureLookup(subs: Substituters): Promise<{ wall: number; cpu: number }> {
  const b = openStore({ dir: join(base, 'lookups'), fsync: false });
  const runs: { wall: number; cpu: number }[] = [];
  try {
    for (let i = 0; i < CLOSURE_LOOKUPS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      if (!(await subs.find(b, `nomia1-closure${i}`, (m) => { throw new Error(m); }))) throw new Error(`no record nomia1-closure${i}`);
      const c = process.cpuUsage(c0);
      runs.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 });
    }
  } finally {
    b.close();
  }
  return runs.sort((x, y) => x.wall - y.wall)[Math.floor(runs.length / 2)]!;
}

const fmt = (r: Run, bytes: number) => `${r.wall.toFixed(3)} s  ${mb(bytes, r.wall)}  cpu ${r.cpu.toFixed(2)} s`;

/**
 * The work any substitution of these objects does besides receiving, measured here on one thread: SHA-256
 * of every byte, and writing the same sizes to new files on the same filesystem. Seconds of CPU of each
 * (this thread's: on a shared machine its wall time would count the waits for a core).
 */
function floors(sizes: readonly number[], dir: string): { sha256: number; writes: number } {
  const chunk = Buffer.allocUnsafe(1 << 20);
  randomFillSync(chunk);
  const cpu = (): number => (threadCpu().get(process.pid) ?? 0) / 1000;
  let t0 = cpu();
  for (const size of sizes) {
    const h = createHash('sha256');
    for (let at = 0; at < size; at += chunk.length) h.update(chunk.subarray(0, Math.min(chunk.length, size - at)));
    h.digest();
  }
  const sha256 = cpu() - t0;
  mkdirSync(dir);
  t0 = cpu();
  sizes.forEach((size, i) => {
    const fd = openSync(join(dir, String(i)), 'wx');
    for (let at = 0; at < size; at += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, size - at));
    closeSync(fd);
  });
  const writes = cpu() - t0;
  rmSync(dir, { recursive: true, force: true });
  return { sha256, writes };
}

/** Milliseconds of CPU per ed25519 check of a record-sized fingerprint, as a lookup makes it (keys.ts `verifiedBy`). */
function verifyCost(): number {
  const key = parseSecretKey(generateSecretKey('cost-1'));
  const pub = [parsePublicKey(key.publicText)];
  const fingerprint = `nomia-reduction-1;${'x'.repeat(400)}`;
  const sig = signText(key, fingerprint);
  const t0 = process.cpuUsage();
  for (let i = 0; i < 1000; i++) if (!verifiedBy(pub, fingerprint, sig)) throw new Error('the signature did not verify');
  const c = process.cpuUsage(t0);
  return (c.user + c.system) / 1e6;
}

async function main(): Promise<void> {
  const files = join(base, 'files');
  mkdirSync(files);
  const a = openStore({ dir: join(base, 'a'), fsync: false });
  const paths: string[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const size = i % 10 === 0 ? 4 << 20 : 1024 + ((i * 7919) % 200) * 1024;
    const buf = Buffer.allocUnsafe(size);
    randomFillSync(buf);
    const f = join(files, `blob${i}`);
    writeFileSync(f, buf);
    paths.push((await addPath(a, f)).object.path);
    total += size;
  }
  const root = join(base, 'www');
  const key = parseSecretKey(generateSecretKey('bench-1'));
  const local = openTransport(join(root, 'cache'));
  const pushed = await pushObjects(a, local, key, paths);
  const objects: readonly RecordObject[] = pushed.objects;
  await pushRecord(local, key, { from: 'nomia1-bench', namespace: 'builtin:bench@1', to: 'bench:closure', storeDir: a.layout.storeDir, objects });
  // The same closure under other spellings: their lookups are timed apart, each never verified before in this process.
  for (let i = 0; i < CLOSURE_LOOKUPS; i++) {
    await pushRecord(local, key, { from: `nomia1-closure${i}`, namespace: 'builtin:bench@1', to: 'bench:closure', storeDir: a.layout.storeDir, objects });
  }
  // A node's usual record: one object; one record per node of a 1 000-node graph (three graphs per rep, and one to warm the connection: never one record twice).
  for (let i = 0; i <= LOOKUPS * 3 * reps; i++) {
    await pushRecord(local, key, { from: `nomia1-one${i}`, namespace: 'builtin:bench@1', to: 'bench:one', storeDir: a.layout.storeDir, objects: [objects[i % objects.length]!] });
  }
  a.close();
  const server = await startNginx(join(base, 'nginx'), root);
  const url = `${server.url}/cache`;
  console.log(`bench/cache: ${count} objects, ${(total / 1e6).toFixed(0)} MB of NARs, nginx on 127.0.0.1, best of ${reps}; load average before: ${load()}`);
  try {
    const nomiaRuns: (Run & { bytes: number; budget: Budget })[] = [];
    const nginxOf: Run[] = [];
    const curlRuns: Run[] = [];
    const curlFileRuns: Run[] = [];
    const nixRuns: Run[] = [];
    const list = join(base, 'curl.txt');
    const narUrl = (o: RecordObject): string => `${url}/${narPath(toHex(parseObjectPath(o.path)!.hash))}`;
    writeFileSync(list, objects.map((o) => `url = "${narUrl(o)}"\noutput = "/dev/null"\n`).join(''));
    const toFiles = join(base, 'curl-files');
    const fileList = join(base, 'curl-files.txt');
    writeFileSync(fileList, objects.map((o, i) => `url = "${narUrl(o)}"\noutput = "${join(toFiles, `${i}.nar`)}"\n`).join(''));
    const nixPaths = objects.map((o) => nixFixedPath(toHex(parseObjectPath(o.path)!.hash), parseObjectPath(o.path)!.name));
    writeFileSync(join(base, 'nix-paths'), nixPaths.join('\n'));
    const nixRoot = join(base, 'nix');
    const nix = has('nix-store');
    if (!lookupsOnly) {
    // Interleaved, so that a burst of load elsewhere weighs on all three alike.
    for (let i = 0; i < reps; i++) {
      nomiaRuns.push(await substitute(url, key.publicText, false, count, server.pid));
      const n0 = treeCpu(server.pid);
      curlRuns.push(child(`curl -sfK ${list}`));
      nginxOf.push({ ...curlRuns[curlRuns.length - 1]!, cpu: (treeCpu(server.pid) - n0) / 1000 });
      rmSync(toFiles, { recursive: true, force: true });
      mkdirSync(toFiles);
      curlFileRuns.push(child(`curl -sfK ${fileList}`));
      if (nix) {
        spawnSync('chmod', ['-R', 'u+w', nixRoot]);
        rmSync(nixRoot, { recursive: true, force: true });
        nixRuns.push(child(`xargs -a ${join(base, 'nix-paths')} nix-store --store ${nixRoot} --realise --option substituters ${url} --option trusted-public-keys '${key.publicText}'`));
      }
    }
    const synced = await substitute(url, key.publicText, true, count, server.pid);
    const bytes = nomiaRuns[0]!.bytes;
    const n = best(nomiaRuns);
    const c = best(curlRuns);
    const cf = best(curlFileRuns);
    console.log(`  nomia substitute   ${fmt(n, bytes)}  (${((n.wall / count) * 1000).toFixed(2)} ms per object)`);
    console.log(`  nomia, fsync on    ${fmt(synced, bytes)}`);
    console.log(`  curl keep-alive    ${fmt(c, bytes)}`);
    console.log(`  curl, to files     ${fmt(cf, bytes)}`);
    if (nixRuns.length) console.log(`  nix-store --realise ${fmt(best(nixRuns), bytes)}`);
    console.log(`  nomia's throughput: ${((cf.wall / n.wall) * 100).toFixed(0)} % of curl writing the files (the peer the target is held to, docs/cache.md; target ≥ 90 %), ${((c.wall / n.wall) * 100).toFixed(0)} % of curl to /dev/null`);
    if (nixRuns.length) console.log(`  nomia is ${(best(nixRuns).wall / n.wall).toFixed(2)}× as fast as Nix (target > 1)`);
    const bg = n.budget;
    const ngCurl = nginxOf[curlRuns.indexOf(c)]!.cpu;
    console.log(`  budget of the best nomia run, CPU s: main thread ${bg.main.toFixed(2)}, threads it started (restore) ${bg.started.toFixed(2)}, other threads (libuv pool, V8) ${bg.others.toFixed(2)}, nginx ${bg.nginx.toFixed(2)}; of its curl run: curl ${c.cpu.toFixed(2)}, nginx ${ngCurl.toFixed(2)}`);
    const f = floors(objects.map((o) => o.narSize), join(base, 'floor-files'));
    const floor = c.cpu + f.sha256 + f.writes;
    console.log(`  floor: receive (curl's CPU) ${c.cpu.toFixed(2)} + SHA-256 ${f.sha256.toFixed(2)} + file writes ${f.writes.toFixed(2)} = ${floor.toFixed(2)} s of CPU, measured on one thread; with nginx's ${ngCurl.toFixed(2)} s, spread perfectly over ${availableParallelism()} cores: ≥ ${((floor + ngCurl) / availableParallelism()).toFixed(2)} s of wall (curl here: ${c.wall.toFixed(2)} s)`);
    }

    const subs = new Substituters({ substituters: [url], trustedKeys: [key.publicText] });
    const plain = openTransport(url);
    const runs = { seq: [] as LookupCost[], par: [] as LookupCost[], wide: [] as LookupCost[], again: [] as LookupCost[], get: [] as LookupCost[] };
    let closure: { wall: number; cpu: number };
    const warm = LOOKUPS * 3 * reps;
    try {
      await lookups(subs, warm, 1, 1, server.pid); // the connection is warm from here on
      closure = await closureLookup(subs);
      // Each rep on records new to the process (but `again`), the kinds alternated within it.
      for (let r = 0; r < reps; r++) {
        const at = r * LOOKUPS * 3;
        runs.seq.push(await lookups(subs, at, LOOKUPS, 1, server.pid));
        runs.par.push(await lookups(subs, at + LOOKUPS, LOOKUPS, 16, server.pid));
        // A graph of LOOKUPS sibling nodes: the engine looks them all up at once.
        runs.wide.push(await lookups(subs, at + LOOKUPS * 2, LOOKUPS, LOOKUPS, server.pid));
        runs.again.push(await lookups(subs, at, LOOKUPS, 1, server.pid));
        // The GET alone (request, nginx, answer cut out), one after the other on a warm connection: a lookup's floor besides its check.
        await plain.get(recordPath(`nomia1-one${warm}`));
        const c0 = threadCpu().get(process.pid) ?? 0;
        const p0 = process.cpuUsage();
        const n0 = treeCpu(server.pid);
        const t0 = performance.now();
        for (let i = at; i < at + LOOKUPS; i++) if (!(await plain.get(recordPath(`nomia1-one${i}`)))) throw new Error(`no record nomia1-one${i}`);
        const p = process.cpuUsage(p0);
        runs.get.push({ wall: (performance.now() - t0) / LOOKUPS, cpu: ((threadCpu().get(process.pid) ?? 0) - c0) / LOOKUPS, all: (p.user + p.system) / 1000 / LOOKUPS, nginx: (treeCpu(server.pid) - n0) / LOOKUPS });
      }
    } finally {
      subs.close();
      plain.close();
    }
    /** The median of each figure, and the range of the walls. */
    const ms = (ls: LookupCost[]): string => {
      const med = (f: (l: LookupCost) => number): number => ls.map(f).sort((x, y) => x - y)[Math.floor(ls.length / 2)]!;
      const walls = ls.map((l) => l.wall).sort((x, y) => x - y);
      const range = ls.length > 1 ? ` [${walls[0]!.toFixed(3)}–${walls[walls.length - 1]!.toFixed(3)}]` : '';
      return `${med((l) => l.wall).toFixed(3)} ms${range} (CPU: main thread ${med((l) => l.cpu).toFixed(3)}, all threads ${med((l) => l.all).toFixed(3)}, nginx ${med((l) => l.nginx).toFixed(3)} ms)`;
    };
    console.log(`  lookup of a one-object record (GET + parse + signature check), ${LOOKUPS} distinct each, warm connection, median of ${reps} [range of walls]:`);
    console.log(`    16 at once (sibling nodes; the measure the target is held to, docs/cache.md): ${ms(runs.par)}  (target ≤ 0.2 ms)`);
    console.log(`    all ${LOOKUPS} at once (a graph of ${LOOKUPS} siblings): ${ms(runs.wide)}`);
    console.log(`    one after the other (a chain): ${ms(runs.seq)}`);
    console.log(`    the same ${LOOKUPS} again, one after the other (verified before in this process): ${ms(runs.again)}`);
    console.log(`    its parts: the GET alone, one after the other ${ms(runs.get)}; an ed25519 check ${verifyCost().toFixed(3)} ms of CPU`);
    console.log(`  lookup of the whole closure (one record naming all ${count} objects, as a substitution makes it; Nix reads one .narinfo per object): ${closure.wall.toFixed(3)} ms (CPU ${closure.cpu.toFixed(3)} ms), ${((closure.wall / count) * 1000).toFixed(1)} µs per object (median of ${CLOSURE_LOOKUPS})`);
    console.log(`  load average after: ${load()}`);
  } finally {
    await server.stop();
    spawnSync('chmod', ['-R', 'u+w', join(base, 'nix')]);
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
