/**
 * bench/unpack: unpacking archives and downloading, side by side with the
 * usual tools.
 *
 * One source-like tree (5 000 small files in 50 directories, plus one
 * 32 MiB file), packed by GNU tar as plain tar, gzip, bzip2, xz and zstd,
 * and by Info-ZIP zip. For each archive, the median of 3 runs of Nomia's
 * unpacking (in-process, the code `unpack:tar`/`unpack:zip` run, with every
 * entry checked) and of `tar -xf` (or `unzip`) into a fresh directory, and
 * their ratio. Then a 256 MiB download from a local HTTP server: Nomia's
 * downloader (hashing as it writes) against Node's built-in fetch writing
 * and hashing the same way, in the same process.
 *
 * Runs on tmpfs (/dev/shm); `--quick` uses a smaller tree and download.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { download } from '../src/namespaces/fetch/download.js';
import { unpackArchive } from '../src/namespaces/unpack/archive.js';

const quick = process.argv.includes('--quick');
const base = mkdtempSync(join('/dev/shm', 'nomia-bench-unpack-'));
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
let seq = 0;
const fresh = () => join(base, `out-${seq++}`);

function makeTree(root: string): void {
  const dirs = quick ? 10 : 50;
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(root, 'src', `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(root, 'src', `d${d}`, `f${f}.c`), `int f${d}_${f}(void) { return ${d * f}; }\n`.repeat(1 + (f % 30)));
  }
  // Half random, half repetitive: compressible, but not trivially.
  const big = Buffer.alloc((quick ? 4 : 32) << 20);
  randomFillSync(big, 0, big.length / 2);
  writeFileSync(join(root, 'src', 'data.bin'), big);
}

async function median(f: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[1]!;
}

function must(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { ...(cwd ? { cwd } : {}), stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
}

const row = (label: string, ours: number, peer: number, peerName: string) =>
  console.log(`${label.padEnd(10)} nomia ${ours.toFixed(0).padStart(6)} ms   ${peerName.padEnd(8)} ${peer.toFixed(0).padStart(6)} ms   ratio ${(ours / peer).toFixed(2)}`);

async function benchUnpack(): Promise<void> {
  const tree = join(base, 'tree');
  makeTree(tree);
  console.log(`unpacking a tree of ${quick ? 1000 : 5000} small files + one ${quick ? 4 : 32} MiB file (median of 3, lower ratio is better for nomia)`);
  const formats: [string, string[], string, string][] = [
    ['tar', [], 'src.tar', 'tar'],
    ['gzip', ['-z'], 'src.tar.gz', 'gzip'],
    ['bzip2', ['-j'], 'src.tar.bz2', 'bzip2'],
    ['xz', ['-J'], 'src.tar.xz', 'xz'],
    ['zstd', ['--zstd'], 'src.tar.zst', 'zstd'],
  ];
  for (const [label, flag, file, tool] of formats) {
    if (!has(tool)) {
      console.log(`${label.padEnd(10)} skipped: ${tool} is not installed`);
      continue;
    }
    const archive = join(base, file);
    must('tar', ['-c', ...flag, '-f', archive, '-C', tree, 'src']);
    const ours = await median(() => unpackArchive(archive, fresh(), { format: 'tar', label }).then(() => undefined));
    const peer = await median(() => {
      const out = fresh();
      mkdirSync(out);
      must('tar', ['-xf', archive, '-C', out]);
    });
    row(label, ours, peer, 'GNU tar');
  }
  if (has('zip') && has('unzip')) {
    const archive = join(base, 'src.zip');
    must('zip', ['-qr', archive, 'src'], tree);
    const ours = await median(() => unpackArchive(archive, fresh(), { format: 'zip', label: 'zip' }).then(() => undefined));
    const peer = await median(() => must('unzip', ['-q', archive, '-d', fresh()]));
    row('zip', ours, peer, 'unzip');
  }
}

async function benchDownload(): Promise<void> {
  const size = (quick ? 32 : 256) << 20;
  const body = Buffer.alloc(size);
  randomFillSync(body);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': size });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/blob`;
  const ours = await median(async () => {
    await download(url, fresh(), { stallMs: 30_000, env: {} });
  });
  const peer = await median(async () => {
    const res = await globalThis.fetch(url);
    const hash = createHash('sha256');
    await pipeline(Readable.fromWeb(res.body! as WebReadableStream<Uint8Array>), async function* (src: AsyncIterable<Buffer>) {
      for await (const chunk of src) {
        hash.update(chunk);
        yield chunk;
      }
    }, createWriteStream(fresh()));
    hash.digest('hex');
  });
  console.log(`downloading ${size >> 20} MiB from 127.0.0.1, hashed while written (median of 3)`);
  row('download', ours, peer, 'fetch()');
  console.log(`           nomia ${(size / 1e6 / (ours / 1000)).toFixed(0)} MB/s, fetch() ${(size / 1e6 / (peer / 1000)).toFixed(0)} MB/s`);
  server.close();
}

try {
  await benchUnpack();
  await benchDownload();
} finally {
  rmSync(base, { recursive: true, force: true });
}
