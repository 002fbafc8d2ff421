/**
 * bench/cache: substituting a closure from an HTTP binary cache, against
 * curl fetching the same files from the same server in the same run, and
 * Nix substituting the same objects from the same cache.
 *
 * N objects of mixed sizes (default 1 000, ≈ 500 MB: every tenth 4 MiB, the
 * others 1 KiB–200 KiB) are added to a store A and pushed to a directory
 * that a real nginx on 127.0.0.1 serves. Then, each on a fresh target:
 *   - nomia: one signed record naming all N objects is looked up and its
 *     objects substituted into an empty store B over HTTP (GET on a
 *     keep-alive agent, each NAR checked through the store's import);
 *   - curl: one curl process GETs the same N NARs with keep-alive, to /dev/null;
 *   - nix: `nix-store --store DIR --realise` of the objects' Nix paths with
 *     the cache as substituter, into a fresh chroot store.
 * Then the lookup cost: a one-object record looked up and verified 1 000 times on a
 * warm connection. Prints times, MB/s and ratios. Targets (issue 18): ≥ 90 %
 * of curl's throughput; ≤ 0.2 ms per lookup; faster than Nix.
 * `--quick`: 200 objects (≈ 100 MB). Everything lives on /dev/shm.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSecretKey, parseSecretKey } from '../src/cache/keys.js';
import { nixFixedPath } from '../src/cache/narinfo.js';
import { narPath } from '../src/cache/paths.js';
import { pushObjects, pushRecord } from '../src/cache/push.js';
import { Substituters } from '../src/cache/substituters.js';
import { openTransport } from '../src/cache/transport.js';
import { addPath } from '../src/store/add.js';
import { toHex } from '../src/store/hash.js';
import { parseObjectPath } from '../src/store/store-path.js';
import { openStore } from '../src/store/store.js';
import { startNginx } from '../test/support/nginx.js';

const quick = process.argv.includes('--quick');
const count = quick ? 200 : 1000;
const base = mkdtempSync(join('/dev/shm', 'nomia-bench-cache-'));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const mb = (bytes: number, s: number) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;

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
  await pushRecord(local, key, { from: 'nomia1-bench', namespace: 'builtin:bench@1', to: 'bench:closure', storeDir: a.layout.storeDir, objects: pushed.objects });
  // A node's usual record: one object.
  await pushRecord(local, key, { from: 'nomia1-one', namespace: 'builtin:bench@1', to: 'bench:one', storeDir: a.layout.storeDir, objects: pushed.objects.slice(0, 1) });
  a.close();
  const server = await startNginx(join(base, 'nginx'), root);
  const url = `${server.url}/cache`;
  console.log(`bench/cache: ${count} objects, ${(total / 1e6).toFixed(0)} MB of NARs, nginx on 127.0.0.1`);
  try {
    // nomia: look up the record and substitute every object into an empty store.
    const b = openStore({ dir: join(base, 'b'), fsync: false });
    const subs = new Substituters({ substituters: [url], trustedKeys: [key.publicText] });
    const t0 = performance.now();
    const found = await subs.find(b, 'nomia1-bench', (m) => { throw new Error(m); });
    if (!found) throw new Error('the record was not found');
    const fetched = await subs.fetch(b, found);
    const nomia = (performance.now() - t0) / 1000;
    if (fetched.added !== count) throw new Error(`substituted ${fetched.added} of ${count}`);
    const t1 = performance.now();
    const lookups = 1000;
    for (let i = 0; i < lookups; i++) await subs.find(b, 'nomia1-one', () => undefined);
    const perLookup = (performance.now() - t1) / lookups;
    subs.close();
    b.close();

    // curl: the same NARs, one process, keep-alive.
    const list = join(base, 'curl.txt');
    writeFileSync(list, pushed.objects.map((o) => `url = "${url}/${narPath(toHex(parseObjectPath(o.path)!.hash))}"\noutput = "/dev/null"\n`).join(''));
    const t2 = performance.now();
    const c = spawnSync('curl', ['-sfK', list], { stdio: ['ignore', 'ignore', 'pipe'] });
    const curl = (performance.now() - t2) / 1000;
    if (c.status !== 0) throw new Error(`curl failed: ${c.stderr}`);

    console.log(`  nomia substitute  ${nomia.toFixed(3)} s  ${mb(fetched.bytes, nomia)}  (${((nomia / count) * 1000).toFixed(2)} ms per object)`);
    console.log(`  curl keep-alive   ${curl.toFixed(3)} s  ${mb(fetched.bytes, curl)}`);
    console.log(`  nomia/curl throughput: ${((curl / nomia) * 100).toFixed(0)} % (target ≥ 90 %)`);
    console.log(`  lookup of a one-object record (GET + parse + signature check, warm connection): ${perLookup.toFixed(3)} ms (target ≤ 0.2 ms)`);

    if (has('nix-store')) {
      const nixPaths = pushed.objects.map((o) => nixFixedPath(toHex(parseObjectPath(o.path)!.hash), parseObjectPath(o.path)!.name));
      const nixRoot = join(base, 'nix');
      const t3 = performance.now();
      const n = spawnSync('nix-store', ['--store', nixRoot, '--realise', ...nixPaths, '--option', 'substituters', url, '--option', 'trusted-public-keys', key.publicText], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
      const nix = (performance.now() - t3) / 1000;
      if (n.status !== 0) console.log(`  nix: failed (${n.stderr.toString().trim().split('\n').slice(-2).join(' | ')})`);
      else console.log(`  nix-store --realise ${nix.toFixed(3)} s  ${mb(fetched.bytes, nix)}  nomia is ${(nix / nomia).toFixed(2)}× Nix (target > 1)`);
      spawnSync('chmod', ['-R', 'u+w', nixRoot]);
    }
  } finally {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
