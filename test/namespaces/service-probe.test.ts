/** Readiness probes (`ready=`): the accepted and refused spellings, and what counts as ready. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AtomRequest } from '../../src/namespace/index.js';
import { nextProbeWait, parseProbe, PROBE_FIRST_MS, type Probe, probeOnce, probeText } from '../../src/namespaces/service/probe.js';

const req: AtomRequest = { namespace: { id: 'service', params: [] }, nameId: 'process', params: [] };

describe('parseProbe', () => {
  const accepted: [string, unknown][] = [
    ['tcp://127.0.0.1:8080', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    ['tcp://localhost:1', { kind: 'tcp', host: 'localhost', port: 1 }],
    ['http://127.0.0.1:80', { kind: 'http', host: '127.0.0.1', port: 80, path: '/' }],
    ['http://127.0.0.1:8080/health?full=1', { kind: 'http', host: '127.0.0.1', port: 8080, path: '/health?full=1' }],
    ['http://[::1]:65535/', { kind: 'http', host: '::1', port: 65535, path: '/' }],
  ];
  for (const [text, probe] of accepted) {
    it(`accepts ${text}`, () => {
      assert.deepEqual(parseProbe(req, text), probe);
    });
  }
  for (const text of ['udp://127.0.0.1:1', 'tcp://127.0.0.1', 'tcp://127.0.0.1:0', 'http://127.0.0.1:65536/', 'tcp://127.0.0.1:80/x', 'https://127.0.0.1:443/', '127.0.0.1:80']) {
    it(`refuses ${text}`, () => {
      assert.throws(() => parseProbe(req, text), (e: { code?: string; message: string }) => e.code === 'usage' && e.message.includes('no readiness probe'));
    });
  }
  it('takes a list as a command, and nothing as "started"', () => {
    assert.deepEqual(parseProbe(req, ['/bin/sh', '-c', 'true']), { kind: 'command', argv: ['/bin/sh', '-c', 'true'] });
    assert.deepEqual(parseProbe(req, undefined), { kind: 'started' });
    assert.equal(probeText(parseProbe(req, 'http://127.0.0.1:80/x')), 'http://127.0.0.1:80/x');
  });
});

describe('probeOnce', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  /** A server answering every connection with `reply` (raw bytes), on a free port. */
  function answering(reply: string): Promise<number> {
    return new Promise((resolve) => {
      const s = createServer((c) => { c.on('data', () => c.end(reply)); c.on('error', () => undefined); });
      servers.push(s);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    });
  }

  it('http: 2xx and 3xx are ready, 4xx and 5xx are not', async () => {
    for (const [status, ready] of [[200, true], [204, true], [302, true], [404, false], [503, false]] as const) {
      const port = await answering(`HTTP/1.1 ${status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      assert.equal(await probeOnce({ kind: 'http', host: '127.0.0.1', port, path: '/' }, {}, '/'), ready, `status ${status}`);
    }
  });

  it('http: an answer with bare \\n line ends (a busybox CGI script) is ready', async () => {
    const port = await answering('HTTP/1.0 200 OK\nContent-Type: text/plain\n\nok\n');
    assert.equal(await probeOnce({ kind: 'http', host: '127.0.0.1', port, path: '/' }, {}, '/'), true);
  });

  it('http: the probe is a GET of the path with a Host header, read to its status line even when it comes in pieces', async () => {
    let asked = '';
    const s = createServer((c) => {
      c.setEncoding('latin1');
      c.on('data', (d: string) => {
        asked += d;
        if (!asked.includes('\r\n\r\n')) return;
        // The status line in three writes, the rest a moment later: ready once the line is whole.
        c.write('HTT');
        setTimeout(() => c.write('P/1.1 2'), 20);
        setTimeout(() => c.write('04 No Content\r\n'), 40);
        setTimeout(() => c.end('Content-Length: 0\r\n\r\n'), 60);
      });
      c.on('error', () => undefined);
    });
    servers.push(s);
    const port = await new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
    assert.equal(await probeOnce({ kind: 'http', host: '127.0.0.1', port, path: '/health?full=1' }, {}, '/'), true);
    assert.match(asked, new RegExp(`^GET /health\\?full=1 HTTP/1\\.1\\r\\nHost: 127\\.0\\.0\\.1:${port}\\r\\n`));
  });

  it('http: an answer that is not HTTP, or none before the server closes, is not ready', async () => {
    for (const reply of ['SSH-2.0-OpenSSH_9.2\r\n', '', 'HTTP/1.1 200', 'x'.repeat(10_000)]) {
      const port = await answering(reply);
      assert.equal(await probeOnce({ kind: 'http', host: '127.0.0.1', port, path: '/' }, {}, '/'), false, JSON.stringify(reply.slice(0, 20)));
    }
  });

  it('tcp: a listening port is ready, a closed one is not', async () => {
    const port = await answering('');
    assert.equal(await probeOnce({ kind: 'tcp', host: '127.0.0.1', port }, {}, '/'), true);
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await probeOnce({ kind: 'tcp', host: '127.0.0.1', port }, {}, '/'), false);
  });

  it('command: exit 0 is ready; another status or a missing program is not', async () => {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    assert.equal(await probeOnce({ kind: 'command', argv: ['sh', '-c', 'exit 0'] }, env, '/'), true);
    assert.equal(await probeOnce({ kind: 'command', argv: ['sh', '-c', 'exit 1'] }, env, '/'), false);
    assert.equal(await probeOnce({ kind: 'command', argv: ['/nonexistent/probe'] }, env, '/'), false);
  });
});

describe('the back-off between readiness attempts', () => {
  /** The waits of the first `n` seconds of polling. */
  const waits = (probe: Probe, ms: number) => {
    const out = [PROBE_FIRST_MS];
    for (let total = PROBE_FIRST_MS; total < ms; total += out.at(-1)!) out.push(nextProbeWait(out.at(-1)!, probe));
    return out;
  };
  const tcp: Probe = { kind: 'tcp', host: '127.0.0.1', port: 1 };

  it('starts short and grows, never shrinking', () => {
    const w = waits(tcp, 2000);
    assert.ok(w[0]! <= 1 && w[1]! <= 2, `short at first: ${w.slice(0, 4).join(', ')}`);
    for (let i = 1; i < w.length; i++) assert.ok(w[i]! >= w[i - 1]!, `non-decreasing at ${i}: ${w.join(', ')}`);
    assert.ok(w.length < 60, `a second of polling is not a busy loop: ${w.length} attempts`);
  });

  it('notices a network service at most 50 ms after it is ready; a command probe backs off to 250 ms', () => {
    assert.equal(Math.max(...waits(tcp, 10_000)), 50);
    assert.equal(Math.max(...waits({ kind: 'http', host: '127.0.0.1', port: 1, path: '/' }, 10_000)), 50);
    assert.equal(Math.max(...waits({ kind: 'unix', path: '/x' }, 10_000)), 50);
    assert.equal(Math.max(...waits({ kind: 'command', argv: ['true'] }, 10_000)), 250);
  });
});
