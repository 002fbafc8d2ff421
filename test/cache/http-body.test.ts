/**
 * The NAR client of the restore threads (src/cache/http-body.ts), against
 * small servers written here, for what nginx does not do on demand: a kept
 * connection is reused after an answer read to its end (a 404 included)
 * and not after a body left half-read or never started; a kept connection the server closed
 * is replaced; a body cut short, a server that never answers and a chunked
 * answer each fail with what they are.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { BodyClient, FetchFailed, type Origin } from '../../src/cache/http-body.js';
import { onGets } from '../support/get-requests.js';

/** The body of `/N`: N bytes, distinct. */
const body = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff));

/** A server answering `GET /N` with N bytes (`/missing` with a 404 and a page), or as `answer` says. */
async function serve(answer?: (path: string, s: Socket) => boolean): Promise<{ server: Server; origin: Origin; connections: () => number; closed: () => Promise<void>; close: () => void }> {
  let connections = 0;
  let closed: () => void = () => undefined;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    connections++;
    sockets.push(s);
    onGets(s, (path) => {
      if (answer?.(path, s)) return;
      if (path === '/missing') s.write('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here\n');
      else {
        const b = body(Number(path.slice(1)));
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${b.length}\r\n\r\n`);
        s.write(b);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => closed());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    origin: { host: '127.0.0.1', port, hostHeader: `127.0.0.1:${port}`, timeoutMs: 3000 },
    connections: () => connections,
    /** Resolves when a connection closes next (rejects if none does within 5 s). */
    closed: () => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no connection closed')), 5000);
      closed = () => { clearTimeout(t); resolve(); };
    }),
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

/** The whole body, copied out of the views it arrives in. */
async function read(c: BodyClient, path: string): Promise<{ status: number; bytes: Buffer }> {
  const a = await c.get(path);
  const parts: Buffer[] = [];
  for await (const v of a.body) parts.push(Buffer.from(v));
  return { status: a.status, bytes: Buffer.concat(parts) };
}

test('answers read to their end, a 404 among them, share one connection; each body arrives whole', async () => {
  const s = await serve();
  const c = new BodyClient(s.origin);
  try {
    for (const n of [0, 10, 3_000_000, 65_537]) assert.deepEqual((await read(c, `/${n}`)).bytes, body(n), `/${n}`);
    assert.equal((await read(c, '/missing')).status, 404);
    assert.deepEqual((await read(c, '/777')).bytes, body(777));
    assert.equal(s.connections(), 1);
  } finally {
    c.close();
    s.close();
  }
});

test('a body left half-read (a refused NAR) closes its connection; the next GET gets its own answer on a new one', async () => {
  const s = await serve();
  const c = new BodyClient(s.origin);
  try {
    const a = await c.get('/5000000');
    for await (const _ of a.body) break;
    assert.deepEqual((await read(c, '/4242')).bytes, body(4242));
    assert.equal(s.connections(), 2);
  } finally {
    c.close();
    s.close();
  }
});

test('an answer let go before its body was read closes its connection; one read to its end is kept when let go', async () => {
  const s = await serve();
  const c = new BodyClient(s.origin);
  try {
    const gone = s.closed();
    (await c.get('/3000000')).release();
    await gone;
    const whole = await c.get('/50');
    for await (const _ of whole.body);
    whole.release();
    assert.deepEqual((await read(c, '/60')).bytes, body(60));
    assert.equal(s.connections(), 2);
  } finally {
    c.close();
    s.close();
  }
});

test('a kept connection the server closes as a GET arrives on it is replaced: the GET is answered on a new one', async () => {
  const asked = new Map<Socket, number>();
  const s = await serve((_, sock) => {
    asked.set(sock, (asked.get(sock) ?? 0) + 1);
    // The first connection's second request: closed unanswered (as an idle timeout meeting a request does).
    if (asked.size !== 1 || asked.get(sock) !== 2) return false;
    sock.destroy();
    return true;
  });
  const c = new BodyClient(s.origin);
  try {
    assert.deepEqual((await read(c, '/10')).bytes, body(10));
    assert.deepEqual((await read(c, '/100')).bytes, body(100));
    assert.equal(s.connections(), 2);
  } finally {
    c.close();
    s.close();
  }
});

test('a body cut short fails as the cache down, saying how much is missing', async () => {
  const s = await serve((_, sock) => {
    sock.end(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(400)}`);
    return true;
  });
  const c = new BodyClient(s.origin);
  try {
    await assert.rejects(read(c, '/x'), (e) => e instanceof FetchFailed && e.reason === 'down' && /before the end of the file \(600 of 1000 bytes missing\)/.test(e.message));
  } finally {
    c.close();
    s.close();
  }
});

test('a server that never answers fails after one timeout, as the cache down', async () => {
  const s = await serve(() => true);
  const c = new BodyClient({ ...s.origin, timeoutMs: 200 });
  try {
    await assert.rejects(c.get('/1'), (e) => e instanceof FetchFailed && e.reason === 'down' && /no answer within 200 ms/.test(e.message));
    assert.equal(s.connections(), 1);
  } finally {
    c.close();
    s.close();
  }
});

test('a chunked answer is not guessed at: unframed', async () => {
  const s = await serve((_, sock) => {
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    return true;
  });
  const c = new BodyClient(s.origin);
  try {
    await assert.rejects(c.get('/1'), (e) => e instanceof FetchFailed && e.reason === 'unframed');
  } finally {
    c.close();
    s.close();
  }
});
