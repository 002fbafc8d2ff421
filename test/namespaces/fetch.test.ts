/**
 * The fetch namespace against HTTP servers the test starts on 127.0.0.1
 * (no network): hashes in every form, mismatches that store nothing,
 * redirects, HTTP errors, truncated bodies, stalled servers, cancellation,
 * unpack=true with nix-prefetch-url as the oracle, proxies, HTTPS, and the
 * CLI end to end (the second realize needs no server).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NomiaError } from '../../src/errors.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { GraphParam } from '../../src/graph/types.js';
import type { AtomRequest, NamespaceEvent, RealizeContext, Resource } from '../../src/namespace/types.js';
import { fetchNamespace } from '../../src/namespaces/fetch/index.js';
import { proxyFor } from '../../src/namespaces/fetch/proxy.js';
import { contentHashFromDigest, toBase32, toSri, type ContentHash } from '../../src/store/hash.js';
import { hashPath } from '../../src/store/nar.js';
import { openStore } from '../../src/store/store.js';
import { rejects } from '../support/rejects.js';
import { craftTar, craftZip } from '../support/archives.js';
import { bin, env as cliEnv, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const root = tempDir('fetch');
const store = openStore({ dir: join(root, 'store') });

// ---------------------------------------------------------------- the server

/** What the server serves under /files/NAME. */
const files = new Map<string, Buffer>();
/** Requests per path, to tell a download from a lookup. */
const hits = new Map<string, number>();

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? '/';
  hits.set(url, (hits.get(url) ?? 0) + 1);
  const parts = url.split('/').filter((p) => p !== '');
  if (parts[0] === 'files' && files.has(parts[1]!)) {
    const body = files.get(parts[1]!)!;
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
    return;
  }
  if (parts[0] === 'redirect') {
    // /redirect/N/NAME: N more hops, alternating absolute and relative Locations.
    const left = Number(parts[1]);
    const next = left === 0 ? `/files/${parts[2]}` : `/redirect/${left - 1}/${parts[2]}`;
    res.writeHead(left % 2 === 0 ? 302 : 301, { location: left % 2 === 0 ? `http://${req.headers.host}${next}` : next });
    res.end();
    return;
  }
  switch (parts[0]) {
    case 'loop':
      res.writeHead(307, { location: '/loop' });
      res.end();
      return;
    case 'error':
      res.writeHead(500, 'Internal Server Error');
      res.end('oops');
      return;
    case 'truncated':
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(100, 'x'));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case 'chunked-cut':
      res.writeHead(200);
      res.write(Buffer.alloc(100, 'x'));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case 'silent':
      return; // never answers
    case 'stall-body':
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(100, 'x'));
      return; // and nothing more
    case 'steady': {
      // One byte every 60 ms: much longer in total than the stall timeout, but never stalled.
      const body = files.get(parts[1]!)!;
      res.writeHead(200, { 'content-length': body.length });
      let i = 0;
      const t = setInterval(() => {
        res.write(body.subarray(i, i + 1));
        if (++i === body.length) {
          clearInterval(t);
          res.end();
        }
      }, 60);
      return;
    }
    default:
      res.writeHead(404, 'Not Found');
      res.end('no such file');
  }
}

const server = http.createServer(handler);
let base = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  store.close();
});

// ---------------------------------------------------------------- helpers

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const asHash = (hex: string): ContentHash => contentHashFromDigest(Buffer.from(hex, 'hex'));
const str = (key: string, value: string): GraphParam => ({ key, value: { kind: 'String', value } });
const req = (params: GraphParam[], nameId = 'url'): AtomRequest => ({ namespace: { id: 'fetch', params: [] }, nameId, params });

interface Ctx {
  readonly ctx: RealizeContext;
  readonly lines: string[];
  readonly events: NamespaceEvent[];
}

function context(options: { env?: Record<string, string>; signal?: AbortSignal } = {}): Ctx {
  const lines: string[] = [];
  const events: NamespaceEvent[] = [];
  const ctx: RealizeContext = {
    store, signal: options.signal ?? new AbortController().signal,
    context: { env: options.env ?? {}, cwd: root, now: 0, stdin: () => process.stdin },
    log: (line: string) => lines.push(line), emitReduction: () => undefined, events: { emit: (e) => events.push(e) },
  };
  return { ctx, lines, events };
}

async function fetchUrl(url: string, hash: string, options: { unpack?: boolean; name?: string; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<{ out: Resource & { kind: 'object' }; lines: string[]; events: NamespaceEvent[] }> {
  const params = [str('url', url), str('sha256', hash)];
  if (options.unpack !== undefined) params.push(str('unpack', String(options.unpack)));
  if (options.name !== undefined) params.push(str('name', options.name));
  const { ctx, lines, events } = context(options);
  const out = (await fetchNamespace.realize(req(params), {}, ctx))['out']!;
  assert.equal(out.kind, 'object');
  return { out: out as Resource & { kind: 'object' }, lines, events };
}

const objectCount = () => store.db.objects().length;
const storeEntries = () => readdirSync(join(root, 'store', 'store')).sort();

/** Expect a failure that leaves the store exactly as it was. */
async function storesNothing(p: Promise<unknown>, code: string, message: RegExp): Promise<NomiaError> {
  const before = { count: objectCount(), entries: storeEntries() };
  const e = await rejects(p, code, message);
  assert.equal(objectCount(), before.count, 'no object registered');
  assert.deepEqual(storeEntries(), before.entries, 'nothing new in store/');
  assert.deepEqual(readdirSync(join(root, 'store', 'tmp')), [], 'the work directory is gone');
  return e;
}

/** Run the real CLI without blocking this process (the servers live here). */
function cli(storeDir: string, args: string[], extraEnv: Record<string, string> = {}, cwd = root): Promise<{ code: number | null; out: string; err: string; events: EngineEvent[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--store', storeDir, ...args], { cwd, env: cliEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err, events: err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as EngineEvent) }));
  });
}

let n = 0;
function fresh(prefix: string): string {
  const d = join(root, `${prefix}-${n++}`);
  mkdirSync(d);
  return d;
}

/** A source tree `pkg/…` and its archives, served under /files/. */
function serveSampleArchives(): { src: string; tgz: Buffer; multi: Buffer; zip: Buffer } {
  const dir = fresh('archives');
  const tgz = craftTar(join(dir, 'pkg-1.0.tar.gz'), [
    { name: 'pkg-1.0/', type: 'dir' },
    { name: 'pkg-1.0/README', data: 'read me\n' },
    { name: 'pkg-1.0/bin/tool', data: '#!/bin/sh\n', mode: 0o755 },
    { name: 'pkg-1.0/lib', type: 'symlink', link: 'bin' },
  ], { compression: 'gz' });
  const multi = craftTar(join(dir, 'flat.tar.xz'), [{ name: 'a', data: 'a\n' }, { name: 'b/c', data: 'c\n' }], { compression: 'xz' });
  const zip = craftZip(join(dir, 'site.zip'), [{ name: 'site/index.html', data: '<p>hi</p>\n' }]);
  files.set('pkg-1.0.tar.gz', readFileSync(tgz));
  files.set('flat.tar.xz', readFileSync(multi));
  files.set('site.zip', readFileSync(zip));
  return { src: dir, tgz: readFileSync(tgz), multi: readFileSync(multi), zip: readFileSync(zip) };
}

// ---------------------------------------------------------------- tests

describe('fetch:url, a file', () => {
  const body = Buffer.from('hello fetch\n');
  files.set('hello.txt', body);
  const flat = sha256(body);

  test('the sha256 of the bytes pins it; the result is the by-content name of the NAR hash', async () => {
    const { out, lines, events } = await fetchUrl(`${base}/files/hello.txt`, flat);
    assert.deepEqual(events.filter((e) => e.kind === 'progress').at(-1), { kind: 'progress', done: body.length, total: body.length, unit: 'bytes' }, 'progress in bytes, ending at the total');
    const dir = fresh('nar');
    writeFileSync(join(dir, 'hello.txt'), body);
    const nar = (await hashPath(join(dir, 'hello.txt'))).hash;
    assert.notEqual(nar, flat, 'the NAR hash wraps the bytes');
    assert.equal(out.name, `filesystem:by-content?name=hello.txt&sha256=${nar}`);
    assert.equal(out.type, 'file');
    assert.deepEqual(readFileSync(out.path), body);
    assert.ok(lines.some((l) => /downloading http:\/\/127\.0\.0\.1:\d+\/files\/hello\.txt/.test(l)), lines.join('\n'));
  });

  test('hex, Nix base32, SRI and the sha256: prefix all name the same download', async () => {
    const h = asHash(flat);
    const names = new Set<string>();
    for (const written of [flat, flat.toUpperCase(), toBase32(h), toSri(h), `sha256:${flat}`, `sha256:${toBase32(h)}`]) {
      names.add((await fetchUrl(`${base}/files/hello.txt`, written)).out.name);
    }
    assert.equal(names.size, 1);
  });

  test('name= names the object; the default is the last segment of the URL path', async () => {
    assert.match((await fetchUrl(`${base}/files/hello.txt`, flat, { name: 'greeting' })).out.name, /^filesystem:by-content\?name=greeting&/);
    files.set('x%20y', body);
    assert.match((await fetchUrl(`${base}/files/x%20y`, flat)).out.name, /^filesystem:by-content\?name=download&/, 'a segment that is no valid object name gives `download`');
  });

  for (const [form, show] of [['hex', (h: ContentHash) => h as string], ['base32', toBase32], ['SRI', toSri]] as const) {
    test(`a wrong hash (${form}): both hashes shown as written, nothing stored`, async () => {
      const wrong = asHash(sha256('something else'));
      const e = await storesNothing(fetchUrl(`${base}/files/hello.txt`, show(wrong)), 'fetch/hash-mismatch',
        new RegExp(`hash mismatch \\(the SHA-256 of the downloaded file\\):\\n  expected sha256=${escape(show(wrong))}\\n  got      sha256=${escape(show(asHash(flat)))}\\nnothing was stored`));
      assert.match(e.hint ?? '', new RegExp(`write sha256=${escape(show(asHash(flat)))}`));
    });
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('fetch:url, what goes wrong on the way', () => {
  const body = Buffer.from('redirected body\n');
  files.set('r.txt', body);

  test('redirects are followed, absolute and relative, up to 10', async () => {
    const { out, lines } = await fetchUrl(`${base}/redirect/3/r.txt`, sha256(body));
    assert.deepEqual(readFileSync(out.path), body);
    assert.equal(lines.filter((l) => /^redirected \(HTTP 30[12]\) to http:\/\/127\.0\.0\.1:\d+\/(redirect|files)\//.test(l)).length, 4, lines.join('\n'));
    await fetchUrl(`${base}/redirect/9/r.txt`, sha256(body));
    await storesNothing(fetchUrl(`${base}/redirect/10/r.txt`, sha256(body)), 'fetch/http', /more than 10 redirects/);
    await storesNothing(fetchUrl(`${base}/loop`, sha256(body)), 'fetch/http', /fetch of http:\/\/127\.0\.0\.1:\d+\/loop failed: more than 10 redirects \(the last to \/loop\)/);
  });

  test('HTTP errors name the status', async () => {
    const e = await storesNothing(fetchUrl(`${base}/nothing-here.tar.gz`, sha256(body)), 'fetch/http', /fetch of http:\/\/127\.0\.0\.1:\d+\/nothing-here\.tar\.gz failed: HTTP 404 Not Found$/);
    assert.match(e.hint ?? '', /URL is wrong/);
    await storesNothing(fetchUrl(`${base}/error`, sha256(body)), 'fetch/http', /failed: HTTP 500 Internal Server Error/);
    await storesNothing(fetchUrl(`${base}/redirect/1/missing`, sha256(body)), 'fetch/http', /failed: HTTP 404 Not Found \(redirected to http:\/\/127\.0\.0\.1:\d+\/files\/missing\)/);
  });

  test('a truncated body is an error, with or without Content-Length', async () => {
    await storesNothing(fetchUrl(`${base}/truncated`, sha256(body)), 'fetch/http', /the connection closed after 100 of 1000 bytes; the body is incomplete/);
    await storesNothing(fetchUrl(`${base}/chunked-cut`, sha256(body)), 'fetch/http', /the connection closed after 100 bytes; the body is incomplete/);
  });

  test('a server that stalls is fetch/timeout naming the URL; one slow but steady is not cut off', async () => {
    const env = { NOMIA_FETCH_TIMEOUT: '0.3' };
    const t0 = Date.now();
    const e = await storesNothing(fetchUrl(`${base}/silent`, sha256(body), { env }), 'fetch/timeout', /fetch of http:\/\/127\.0\.0\.1:\d+\/silent timed out: no data for 0\.3 s waiting for the response/);
    assert.ok(Date.now() - t0 < 3000, 'gave up after about the timeout');
    assert.match(e.hint ?? '', /NOMIA_FETCH_TIMEOUT/);
    await storesNothing(fetchUrl(`${base}/stall-body`, sha256(body), { env }), 'fetch/timeout', /\/stall-body timed out: no data for 0\.3 s after 100 bytes of the body/);
    files.set('steady.txt', Buffer.from('0123456789'));
    const s0 = Date.now();
    const { out } = await fetchUrl(`${base}/steady/steady.txt`, sha256('0123456789'), { env });
    assert.ok(Date.now() - s0 > 500, 'the download took longer than the stall timeout');
    assert.equal(readFileSync(out.path, 'utf8'), '0123456789');
    await rejects(fetchUrl(`${base}/files/r.txt`, sha256(body), { env: { NOMIA_FETCH_TIMEOUT: 'soon' } }), 'usage', /NOMIA_FETCH_TIMEOUT=soon is not a positive number of seconds/);
  });

  test('a refused connection is fetch/http', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await storesNothing(fetchUrl(`http://127.0.0.1:${port}/x`, sha256(body)), 'fetch/http', /ECONNREFUSED/);
  });

  test('cancellation stops a download at once and stores nothing', async () => {
    const ac = new AbortController();
    const before = objectCount();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(fetchUrl(`${base}/stall-body`, sha256(body), { signal: ac.signal }), (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(objectCount(), before);
    assert.deepEqual(readdirSync(join(root, 'store', 'tmp')), []);
  });
});

describe('fetch:url?…&unpack=true, like fetchzip', () => {
  const { tgz, multi, zip } = serveSampleArchives();

  test('a lone top-level directory becomes the root; the hash is the NAR hash of the tree', async () => {
    const ref = fresh('ref');
    mkdirSync(join(ref, 'bin'));
    writeFileSync(join(ref, 'README'), 'read me\n');
    writeFileSync(join(ref, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('bin', join(ref, 'lib'));
    const tree = (await hashPath(ref)).hash;
    const { out } = await fetchUrl(`${base}/files/pkg-1.0.tar.gz`, tree, { unpack: true });
    assert.equal(out.name, `filesystem:by-content?name=pkg-1.0&sha256=${tree}`);
    assert.equal(out.type, 'dir');
    assert.equal(readFileSync(join(out.path, 'README'), 'utf8'), 'read me\n');
    // The flat hash of the same archive is a mismatch here: unpack=true pins the tree, not the bytes.
    await storesNothing(fetchUrl(`${base}/files/pkg-1.0.tar.gz`, sha256(tgz), { unpack: true, name: 'other' }), 'fetch/hash-mismatch', /\(the NAR hash of the unpacked tree\)/);
  });

  test('several top-level entries stay as they are; zip works too', async () => {
    const ref = fresh('ref-multi');
    mkdirSync(join(ref, 'b'));
    writeFileSync(join(ref, 'a'), 'a\n');
    writeFileSync(join(ref, 'b', 'c'), 'c\n');
    const { out } = await fetchUrl(`${base}/files/flat.tar.xz`, (await hashPath(ref)).hash, { unpack: true });
    assert.deepEqual(readdirSync(out.path).sort(), ['a', 'b']);
    const site = fresh('ref-site');
    writeFileSync(join(site, 'index.html'), '<p>hi</p>\n');
    const z = await fetchUrl(`${base}/files/site.zip`, (await hashPath(site)).hash, { unpack: true });
    assert.match(z.out.name, /^filesystem:by-content\?name=site&/);
  });

  test('a lone top-level file stays inside the output directory, as with fetchzip', async () => {
    const dir = fresh('lone');
    files.set('lone.tar.gz', readFileSync(craftTar(join(dir, 'lone.tar.gz'), [{ name: 'only.txt', data: 'only\n' }], { compression: 'gz' })));
    const ref = fresh('ref-lone');
    writeFileSync(join(ref, 'only.txt'), 'only\n');
    const { out } = await fetchUrl(`${base}/files/lone.tar.gz`, (await hashPath(ref)).hash, { unpack: true });
    assert.equal(out.type, 'dir');
    assert.deepEqual(readdirSync(out.path), ['only.txt']);
  });

  test('an object already in the store is not downloaded again', async () => {
    const ref = fresh('ref-again');
    writeFileSync(join(ref, 'a'), 'a\n');
    mkdirSync(join(ref, 'b'));
    writeFileSync(join(ref, 'b', 'c'), 'c\n');
    const tree = (await hashPath(ref)).hash;
    await fetchUrl(`${base}/files/flat.tar.xz`, tree, { unpack: true });
    const before = hits.get('/files/flat.tar.xz') ?? 0;
    const { lines } = await fetchUrl(`${base}/files/flat.tar.xz`, tree, { unpack: true });
    assert.equal(hits.get('/files/flat.tar.xz') ?? 0, before, 'no request');
    assert.ok(lines.some((l) => /^already in the store/.test(l)));
  });

  test('an unsafe archive is refused and nothing is stored', async () => {
    const dir = fresh('evil');
    files.set('evil.tar', readFileSync(craftTar(join(dir, 'evil.tar'), [{ name: 'x/../../evil', data: 'x' }])));
    await storesNothing(fetchUrl(`${base}/files/evil.tar`, sha256('irrelevant'), { unpack: true }), 'unpack/unsafe-entry', /fetch of http:\/\/127\.0\.0\.1:\d+\/files\/evil\.tar: refused the entry "x\/\.\.\/\.\.\/evil"/);
  });

  test('hashes agree with nix-prefetch-url, flat and --unpack, and with `nomia hash file`', async (t) => {
    if (!requireTool(t, 'nix-prefetch-url', 'nix-bin')) return;
    const dir = fresh('nix');
    const cases: [string, Buffer][] = [['pkg-1.0.tar.gz', tgz], ['flat.tar.xz', multi], ['site.zip', zip]];
    for (const [name, bytes] of cases) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const nixFlat = spawnSync('nix-prefetch-url', [`file://${file}`]).stdout.toString().trim();
      const nixTree = spawnSync('nix-prefetch-url', ['--unpack', `file://${file}`]).stdout.toString().trim();
      assert.match(nixTree, /^[0-9a-z]{52}$/);
      assert.equal(nixFlat, toBase32(asHash(sha256(bytes))), `${name}: flat`);
      const ours = await cli(join(root, 'hash-store'), ['hash', 'file', '--format', 'base32', file]);
      assert.equal(ours.out.trim(), nixFlat);
      const oursTree = await cli(join(root, 'hash-store'), ['hash', 'file', '--unpack', '--format', 'base32', file]);
      assert.equal(oursTree.out.trim(), nixTree, `${name}: unpacked`);
      await fetchUrl(`${base}/files/${name}`, nixFlat);
      await fetchUrl(`${base}/files/${name}`, nixTree, { unpack: true, name: 'via-nix' });
    }
  });
});

describe('fetch: the namespace', () => {
  test('describe: no inputs, a file (or a directory with unpack=true), not contextual', async () => {
    const hash = sha256('x');
    assert.deepEqual(await fetchNamespace.describe(req([str('url', 'https://example.org/a'), str('sha256', hash)])), { inputs: {}, outputs: { out: { type: 'file' } }, defaultOutput: 'out', contextual: false });
    assert.deepEqual((await fetchNamespace.describe(req([str('url', 'https://example.org/a.zip'), str('sha256', hash), str('unpack', 'true')]))).outputs, { out: { type: 'dir' } });
  });

  test('bad names are usage errors before any download', async () => {
    const hash = sha256('x');
    const bad = (params: GraphParam[], message: RegExp, nameId = 'url') => rejects(Promise.resolve().then(() => fetchNamespace.describe(req(params, nameId))), 'usage', message);
    await bad([str('url', 'x'), str('sha256', hash)], /fetch:url has url=x, which is not a URL/);
    await bad([str('url', 'ftp://example.org/x'), str('sha256', hash)], /only http and https URLs are fetched/);
    await bad([str('url', 'http://example.org/x')], /needs the parameter `sha256`/);
    await bad([str('url', 'http://example.org/x'), str('sha256', 'abc')], /has an invalid sha256 "abc"/);
    await bad([str('url', 'http://example.org/x'), str('sha256', `md5-${hash}`)], /invalid sha256/);
    await bad([str('url', 'http://example.org/x'), str('sha256', hash), str('unpack', 'yes')], /has unpack=yes/);
    await bad([str('url', 'http://example.org/x'), str('sha256', hash), str('mirror', 'y')], /does not take the parameter `mirror`/);
    await bad([str('url', 'http://example.org/x'), str('sha256', hash), str('name', '.x')], /not a valid object name/);
    await bad([], /fetch:git is not a name of this namespace/, 'git');
  });

  test('proxyFor: which proxy a URL takes, from the environment curl reads', () => {
    const table: [string, Record<string, string>, string | undefined][] = [
      ['http://a.example.org/x', {}, undefined],
      ['http://a.example.org/x', { http_proxy: 'http://p:3128' }, 'http://p:3128/'],
      ['http://a.example.org/x', { http_proxy: 'p:3128' }, 'http://p:3128/'],
      ['http://a.example.org/x', { HTTP_PROXY: 'http://p:3128' }, undefined],
      ['https://a.example.org/x', { http_proxy: 'http://p:3128' }, undefined],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128' }, 'http://p:3128/'],
      ['https://a.example.org/x', { HTTPS_PROXY: 'http://q:8080' }, 'http://q:8080/'],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', HTTPS_PROXY: 'http://q:8080' }, 'http://p:3128/'],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', no_proxy: 'example.org' }, undefined],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', no_proxy: '.example.org' }, undefined],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', NO_PROXY: '*.example.org' }, undefined],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', no_proxy: 'other.org, b.example.org' }, 'http://p:3128/'],
      ['https://notexample.org/x', { https_proxy: 'http://p:3128', no_proxy: 'example.org' }, 'http://p:3128/'],
      ['https://a.example.org/x', { https_proxy: 'http://p:3128', no_proxy: '*' }, undefined],
      ['http://[::1]:8080/x', { http_proxy: 'http://p:3128', no_proxy: '::1' }, undefined],
      ['http://127.0.0.1/x', { http_proxy: 'http://p:3128', no_proxy: 'localhost,127.0.0.1' }, undefined],
    ];
    for (const [url, env, expected] of table) assert.equal(proxyFor(new URL(url), env)?.href, expected, `${url} ${JSON.stringify(env)}`);
    assert.throws(() => proxyFor(new URL('https://a.example.org/'), { https_proxy: 'https://p:3128' }), /only http:\/\/ proxies are supported/);
    assert.throws(() => proxyFor(new URL('http://a.example.org/'), { http_proxy: 'http://[bad' }), /is not a proxy URL/);
  });

  test('http_proxy carries http URLs through the proxy; no_proxy bypasses it', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((preq, pres) => {
      seen.push(`${preq.method} ${preq.url}`);
      // A forwarding proxy: the request line holds the absolute URL.
      const up = http.request(preq.url!, { method: preq.method, headers: preq.headers, agent: false }, (ures) => {
        pres.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(pres);
      });
      up.on('error', () => pres.destroy());
      up.end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      files.set('proxied.txt', Buffer.from('via the proxy\n'));
      const { out } = await fetchUrl(`${base}/files/proxied.txt`, sha256('via the proxy\n'), { env: { http_proxy: proxyUrl } });
      assert.equal(readFileSync(out.path, 'utf8'), 'via the proxy\n');
      assert.deepEqual(seen, [`GET ${base}/files/proxied.txt`]);
      await fetchUrl(`${base}/files/proxied.txt`, sha256('via the proxy\n'), { env: { http_proxy: proxyUrl, no_proxy: 'example.org, 127.0.0.1' } });
      await fetchUrl(`${base}/files/proxied.txt`, sha256('via the proxy\n'), { env: { HTTP_PROXY: proxyUrl } });
      assert.equal(seen.length, 1, 'no_proxy bypasses it, and HTTP_PROXY (uppercase) is ignored as curl ignores it');
      await rejects(fetchUrl(`${base}/files/proxied.txt`, sha256('via the proxy\n'), { env: { http_proxy: 'socks5://127.0.0.1:1080' } }), 'usage', /only http:\/\/ proxies are supported/);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  test('https, directly and through a CONNECT proxy (https_proxy), with a test CA', async () => {
    // A self-signed certificate for 127.0.0.1, valid until 2126 (test/fixtures/tls; made with openssl req -x509).
    const tlsDir = fileURLToPath(new URL('../../../test/fixtures/tls/', import.meta.url));
    const dir = fresh('tls');
    const secure = https.createServer({ key: readFileSync(join(tlsDir, 'key.pem')), cert: readFileSync(join(tlsDir, 'cert.pem')) }, handler);
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const connects: string[] = [];
    const tunnel = http.createServer();
    tunnel.on('connect', (creq: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      connects.push(creq.url ?? '');
      const [host, port] = (creq.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => tunnel.listen(0, '127.0.0.1', resolve));
    try {
      const port = (secure.address() as net.AddressInfo).port;
      files.set('secure.txt', Buffer.from('over tls\n'));
      const name = `fetch:url?url=https://127.0.0.1:${port}/files/secure.txt&sha256=${sha256('over tls\n')}`;
      const caEnv = { NODE_EXTRA_CA_CERTS: join(tlsDir, 'cert.pem') };
      const direct = await cli(join(dir, 'store'), ['realize', '--log-format', 'plain', name], caEnv);
      assert.equal(direct.code, 0, direct.err);
      assert.equal(readFileSync(direct.out.trim().split('\n')[1]!, 'utf8'), 'over tls\n');
      const untrusted = await cli(join(dir, 'store-2'), ['realize', '--log-format', 'plain', name]);
      assert.equal(untrusted.code, 1);
      assert.match(untrusted.err, /error\[fetch\/http\]: fetch of https:\/\/127\.0\.0\.1:\d+\/files\/secure\.txt failed: self[- ]signed certificate/);
      const proxied = await cli(join(dir, 'store-3'), ['realize', '--log-format', 'plain', name], { ...caEnv, https_proxy: `http://127.0.0.1:${(tunnel.address() as net.AddressInfo).port}` });
      assert.equal(proxied.code, 0, proxied.err);
      assert.deepEqual(connects, [`127.0.0.1:${port}`]);
    } finally {
      secure.closeAllConnections();
      secure.close();
      tunnel.close();
    }
  });
});

describe('fetch through the CLI', () => {
  test('unpack:tar(fetch:url?…) end to end; with the server gone, the second realize is a lookup', async () => {
    const dir = fresh('e2e');
    const src = join(dir, 'src');
    mkdirSync(join(src, 'hello-2.0', 'doc'), { recursive: true });
    writeFileSync(join(src, 'hello-2.0', 'hello.sh'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    writeFileSync(join(src, 'hello-2.0', 'doc', 'README'), 'docs\n');
    const archive = join(dir, 'x.tar.gz');
    const tar = spawnSync('tar', ['-czf', archive, '-C', src, 'hello-2.0']);
    assert.equal(tar.status, 0, tar.stderr.toString());
    const own = http.createServer((q, s) => {
      const body = readFileSync(archive);
      s.writeHead(q.url === '/x.tar.gz' ? 200 : 404, { 'content-length': body.length });
      s.end(body);
    });
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const port = (own.address() as net.AddressInfo).port;
    const storeDir = join(dir, 'store');
    const hashed = await cli(storeDir, ['hash', 'file', archive]);
    assert.equal(hashed.out.trim(), sha256(readFileSync(archive)), '`nomia hash file` prints the sha256 the name needs');
    const name = `unpack:tar(fetch:url?url=http://127.0.0.1:${port}/x.tar.gz&sha256=${hashed.out.trim()})`;
    const first = await cli(storeDir, ['realize', '--log-format', 'json', name]);
    assert.equal(first.code, 0, first.err);
    const [refined, path] = first.out.trim().split('\n');
    assert.equal(refined, `filesystem:by-content?name=x&sha256=${(await hashPath(src)).hash}`, 'the tree GNU tar packed, named for the archive');
    assert.equal(readFileSync(join(path!, 'hello-2.0', 'doc', 'README'), 'utf8'), 'docs\n');
    assert.deepEqual(first.events.filter((e) => e.kind === 'realizing').map((e) => (e as { label: string }).label.split('?')[0]), ['fetch:url', 'unpack:tar']);
    own.closeAllConnections();
    await new Promise<void>((resolve) => own.close(() => resolve()));
    const second = await cli(storeDir, ['realize', '--log-format', 'json', name]);
    assert.equal(second.code, 0, second.err);
    assert.equal(second.out, first.out);
    assert.deepEqual(second.events.filter((e) => e.kind === 'realizing'), [], 'nothing ran: no network needed');
    const fetchOnly = name.slice('unpack:tar('.length, -1);
    const again = await cli(storeDir, ['realize', '--log-format', 'json', fetchOnly]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^filesystem:by-content\?name=x\.tar\.gz&sha256=[0-9a-f]{64}\n/);
    const reductions = await cli(storeDir, ['reductions', fetchOnly]);
    assert.match(reductions.out, /=> filesystem:by-content\?name=x\.tar\.gz&sha256=[0-9a-f]{64}\n\s+realized by builtin:fetch@1/);
  });

  test('a wrong hash exits 1 with both hashes and stores nothing', async () => {
    const dir = fresh('cli-wrong');
    files.set('w.txt', Buffer.from('w\n'));
    const wrong = toSri(asHash(sha256('not w')));
    const r = await cli(join(dir, 'store'), ['realize', '--log-format', 'plain', `fetch:url?url=${base}/files/w.txt&sha256="${wrong}"`]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`error\\[fetch/hash-mismatch\\]: fetch of ${escape(base)}/files/w\\.txt: hash mismatch \\(the SHA-256 of the downloaded file\\):\\n  expected sha256=${escape(wrong)}\\n  got      sha256=${escape(toSri(asHash(sha256('w\n'))))}`));
    assert.deepEqual(readdirSync(join(dir, 'store', 'store')), []);
  });
});
