/**
 * A big closure substituted over HTTP, its NARs fetched by the restore
 * threads themselves (Transport.restoreNar), from a file server written
 * here that misbehaves on demand: every object arrives and the bytes
 * counted are the NARs'; a NAR cut short by the server is refused, nothing
 * of it stays, and the cache is down for the rest of the run, as after a
 * server that stalls in a NAR for the timeout; a cache that
 * sends NARs chunked is read through Node's client instead; a NAR the
 * cache lacks is said as such.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { generateSecretKey, parseSecretKey } from '../../src/cache/keys.js';
import { narPath } from '../../src/cache/paths.js';
import { pushObjects, pushRecord } from '../../src/cache/push.js';
import type { RecordObject } from '../../src/cache/record.js';
import { Substituters } from '../../src/cache/substituters.js';
import { openTransport } from '../../src/cache/transport.js';
import { NomiaError } from '../../src/errors.js';
import { addPath } from '../../src/store/add.js';
import { toHex } from '../../src/store/hash.js';
import { parseObjectPath } from '../../src/store/store-path.js';
import { openStore, realPath } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('thread-fetch');
const www = join(dir, 'www');
const key = parseSecretKey(generateSecretKey('thread-1'));
/** Three 2 MiB objects and three small ones: past the restore threads' threshold. */
const content = (i: number): Buffer => Buffer.alloc(i < 3 ? 2 << 20 : 5000 + i, `object ${i};`);

/** How the server answers a NAR's GET: whole, cut short after 1000 bytes, stalled after 1000 bytes, chunked, or 404. */
type Mode = 'whole' | 'cut' | 'stall' | 'chunked' | 'missing';

/** A static file server for `www` on `host` that answers the NAR `bad` as `mode` says. */
async function serve(bad: string, mode: Mode, host = '127.0.0.1'): Promise<{ url: string; close: () => void }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    sockets.push(s);
    let text = '';
    s.on('data', (c) => {
      text += c.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
        const path = decodeURIComponent(/^GET (\S+)/.exec(text)![1]!);
        text = text.slice(end + 4);
        let file: Buffer;
        try {
          file = readFileSync(join(www, path));
        } catch {
          s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
          continue;
        }
        const m = path.endsWith(bad) ? mode : 'whole';
        if (m === 'missing') s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        else if (m === 'stall') s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`), file.subarray(0, 1000)]));
        else if (m === 'cut') s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`), file.subarray(0, 1000)]));
        else if (m === 'chunked') s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${file.length.toString(16)}\r\n`), file, Buffer.from('\r\n0\r\n\r\n')]));
        else s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`), file]));
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as { port: number }).port}/cache`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

let objects: readonly RecordObject[] = [];
const sources = new Map<string, Buffer>();
const nar = (o: RecordObject): string => narPath(toHex(parseObjectPath(o.path)!.hash));

before(async () => {
  const a = openStore({ dir: join(dir, 'a'), fsync: false });
  const paths: string[] = [];
  for (let i = 0; i < 6; i++) {
    const f = join(dir, `file${i}`);
    writeFileSync(f, content(i));
    const p = (await addPath(a, f)).object.path;
    sources.set(p, content(i));
    paths.push(p);
  }
  const t = openTransport(join(www, 'cache'));
  objects = (await pushObjects(a, t, key, paths)).objects;
  await pushRecord(t, key, { from: 'nomia1-big', namespace: 'builtin:test@1', to: 'test:big', storeDir: a.layout.storeDir, objects });
  a.close();
});

/** Substitute the closure from a server answering `bad`'s NAR as `mode` says, into a new store. */
async function substitute(name: string, mode: Mode, bad = objects[1]!, host?: string): Promise<{ error: unknown; present: string[]; bytes: number; told: number; notes: string[]; again: unknown }> {
  const server = await serve(nar(bad), mode, host);
  const b = openStore({ dir: join(dir, name), fsync: false });
  const subs = new Substituters({ substituters: [server.url], trustedKeys: [key.publicText], timeoutMs: mode === 'stall' ? 300 : 2000 });
  const notes: string[] = [];
  let error: unknown;
  let bytes = 0;
  let told = 0;
  let again: unknown;
  try {
    const found = await subs.find(b, 'nomia1-big', (m) => assert.fail(m));
    assert.ok(found);
    try {
      bytes = (await subs.fetch(b, found, { progress: (n) => { told = n; } })).bytes;
    } catch (e) {
      error = e;
    }
    again = await subs.find(b, 'nomia1-big', (m) => void notes.push(m));
  } finally {
    subs.close();
    server.close();
  }
  const present = objects.map((o) => o.path).filter((p) => b.db.object(p));
  for (const p of present) assert.deepEqual(readFileSync(realPath(b, p)), sources.get(p), `${name}: ${p} differs`);
  assert.deepEqual(readdirSync(b.layout.storeDir).sort(), [...present].sort(), `${name}: unregistered entries in the store`);
  assert.deepEqual(readdirSync(b.layout.tmpDir), [], `${name}: leftovers in tmp/`);
  b.close();
  return { error, present, bytes, told, notes, again };
}

const narBytes = (): number => objects.reduce((n, o) => n + o.narSize, 0);

test('every object arrives; the bytes counted and told are the NARs\'', async () => {
  const r = await substitute('whole', 'whole');
  assert.equal(r.error, undefined);
  assert.equal(r.present.length, objects.length);
  assert.equal(r.bytes, narBytes());
  assert.equal(r.told, narBytes());
});

test('a NAR the server cuts short is refused, nothing of it stays, and the cache is down for the rest of the run', async () => {
  const r = await substitute('cut', 'cut', objects[0]!);
  assert.ok(r.error instanceof NomiaError && r.error.code === 'cache/io', String(r.error));
  assert.match((r.error as Error).message, /is down: .*before the end of the file/);
  assert.ok(!r.present.includes(objects[0]!.path));
  assert.equal(r.again, undefined);
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0]!, /is down.*not asked again/);
});

test('a server that stalls in a NAR is down after one short timeout: refused, nothing of it stays, not asked again', async () => {
  const r = await substitute('stall', 'stall', objects[0]!);
  assert.ok(r.error instanceof NomiaError && r.error.code === 'cache/io', String(r.error));
  assert.match((r.error as Error).message, /is down: no answer within 300 ms/);
  assert.ok(!r.present.includes(objects[0]!.path));
  assert.equal(r.again, undefined);
  assert.equal(r.notes.length, 1);
});

test('NARs sent chunked are read through Node\'s client: every object arrives', async () => {
  const r = await substitute('chunked', 'chunked');
  assert.equal(r.error, undefined);
  assert.equal(r.present.length, objects.length);
  assert.equal(r.bytes, narBytes());
});

test('a NAR the cache lacks is said as such; the cache is not down', async () => {
  const r = await substitute('missing', 'missing');
  assert.ok(r.error instanceof NomiaError && r.error.code === 'cache/io', String(r.error));
  assert.match((r.error as Error).message, /lacks the object/);
  assert.ok(r.again, 'the record was not found again');
});

/** Whether this machine has an IPv6 loopback to listen on. */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

test('a cache at an IPv6 address ([::1]) is reached: the record is found and every object arrives', async (t) => {
  if (!(await ipv6Loopback())) {
    if (process.env['CI'] === 'true') assert.fail('no IPv6 loopback (::1) to listen on');
    return t.skip('no IPv6 loopback here');
  }
  const r = await substitute('ipv6', 'whole', objects[1]!, '::1');
  assert.equal(r.error, undefined);
  assert.equal(r.present.length, objects.length);
  assert.equal(r.bytes, narBytes());
});
