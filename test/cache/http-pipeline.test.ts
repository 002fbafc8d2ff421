/**
 * The pipelining client for small GETs (src/cache/http-pipeline.ts):
 * against nginx, many GETs at once come back each with its own body, in
 * order; against small servers written here for what nginx does not do on
 * demand: a server that closes the connection after each answer (retried
 * on new connections), one that answers with a chunked body (the transport
 * falls back to Node's client and still reads it), and one that never
 * answers (down after one timeout, said once).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Pipeline } from '../../src/cache/http-pipeline.js';
import { httpTransport } from '../../src/cache/transport-http.js';
import { tempDir } from '../support/cli.js';
import { haveNginx, startNginx, type Nginx } from '../support/nginx.js';
import { onGets } from '../support/get-requests.js';

const skip = !haveNginx() && process.env['CI'] !== 'true' ? 'nginx is not installed' : false;
const dir = tempDir('http-pipeline');
const body = (i: number): Buffer => Buffer.from(`record ${i} `.repeat(1 + ((i * 37) % 50)));

/** A server answering each `GET /N` with `answer(N)`'s bytes, then doing `after` with the socket. */
async function serve(answer: (path: string) => string, then: (s: Socket) => void = () => undefined): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    onGets(s, (path) => {
      s.write(answer(path));
      then(s);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

describe('pipelined GETs against nginx', { skip }, () => {
  let nginx: Nginx;
  before(async () => {
    mkdirSync(join(dir, 'www', 'r'), { recursive: true });
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, 'www', 'r', `${i}`), body(i));
    // One record bigger than a socket read.
    writeFileSync(join(dir, 'www', 'r', 'big'), Buffer.alloc(700_000, 'x'));
    nginx = await startNginx(join(dir, 'nginx'), join(dir, 'www'));
  });
  after(() => nginx?.stop());

  test('300 GETs asked at once each get their own body; a missing file is 404; a big one arrives whole', async () => {
    const p = new Pipeline('127.0.0.1', nginx.port, 3000, `127.0.0.1:${nginx.port}`);
    try {
      const answers = await Promise.all([...Array.from({ length: 300 }, (_, i) => p.get(`/r/${i}`)), p.get('/r/missing'), p.get('/r/big')]);
      answers.slice(0, 300).forEach((a, i) => {
        assert.equal(a.status, 200);
        assert.deepEqual(a.body, body(i));
      });
      assert.equal(answers[300]!.status, 404);
      assert.deepEqual(answers[301]!.body, Buffer.alloc(700_000, 'x'));
    } finally {
      p.close();
    }
  });
});

describe('pipelined GETs against servers that do less', () => {
  test('a server that closes the connection after each answer: every request is answered, on new connections', async () => {
    const s = await serve((path) => `HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\nConnection: close\r\n\r\n${path}`, (sock) => sock.end());
    const p = new Pipeline('127.0.0.1', s.port, 3000, 'x');
    try {
      const answers = await Promise.all(['/a', '/bb', '/ccc'].map((x) => p.get(x)));
      assert.deepEqual(answers.map((a) => a.body.toString()), ['/a', '/bb', '/ccc']);
      assert.ok(s.connections() >= 3, `${s.connections()} connections`);
    } finally {
      p.close();
      s.server.close();
    }
  });

  test('a chunked answer: the transport reads it with Node\'s client instead', async () => {
    const s = await serve(() => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    const t = httpTransport(`http://127.0.0.1:${s.port}/c`, 3000);
    try {
      assert.equal((await t.get('reductions/x'))?.toString(), 'hello');
      assert.equal((await t.get('reductions/y'))?.toString(), 'hello');
    } finally {
      t.close();
      s.server.close();
    }
  });

  test('a server that never answers: the cache is down after one timeout, for every request', async () => {
    const sockets: Socket[] = [];
    const server = createServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const t = httpTransport(`http://127.0.0.1:${(server.address() as { port: number }).port}/c`, 200);
    try {
      const results = await Promise.allSettled([t.get('reductions/a'), t.get('reductions/b')]);
      for (const r of results) assert.match(String((r as PromiseRejectedResult).reason?.message), /is down: no answer within 200 ms/);
      await assert.rejects(t.get('reductions/c'), /is down/);
      assert.equal(sockets.length, 1, 'a second connection was tried after the timeout');
    } finally {
      t.close();
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });
});
