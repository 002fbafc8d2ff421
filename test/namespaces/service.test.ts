/**
 * The service namespace through the real CLI, with real processes on
 * 127.0.0.1 (issue 19): `nomia up` returns once the service answers, status
 * and down; a two-service graph with a restart after kill -9; gc while a
 * service runs; bad input as typed errors with nothing left running.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { requireTool } from '../support/tools.js';
import { accepts, alive, freePort, get, httpd, rig, type Rig, startedAndReady, until } from './service-support.js';

const CGI = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\n"$exe" wget -q -O - "http://$backend/index.html"\n';

function tools(t: TestContext): boolean {
  return requireTool(t, 'busybox', 'busybox-static') && requireTool(t, 'bash-static', 'bash-static');
}

describe('service: nomia up, status, logs, down', () => {
  let r: Rig;
  before(() => { r = rig('service-up'); });
  after(async () => { await r?.cleanUp(); });

  it('answers HTTP as soon as `up` returns; status shows it; down stops it and frees the port', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const www = r.addDir('www', { 'index.html': 'hello from the store\n' });
    assert.equal(await accepts(port), false);
    const up = r.run(['up', '--root', 'web', '--log-format', 'json', httpd(r, port, www)]);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, new RegExp(`^web: httpd ready at 127\\.0\\.0\\.1:${port} \\(pid \\d+\\)`));
    // No retry: ready means it answers now.
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'hello from the store\n' });
    const [s, ...more] = r.status();
    assert.equal(more.length, 0);
    assert.deepEqual([s!.roots, s!.label, s!.endpoint, s!.state, s!.ready], [['web'], 'httpd', `127.0.0.1:${port}`, 'ready', true]);
    assert.ok(s!.pid && alive(s!.pid));
    const table = r.run(['status']);
    assert.match(table.out, new RegExp(`web\\s+httpd\\s+127\\.0\\.0\\.1:${port}\\s+${s!.pid}\\s+\\d+s\\s+ready`));
    const handle = r.run(['realize', '--json', `service:running?id=${s!.id}`]);
    assert.equal(handle.code, 0, handle.err);
    assert.deepEqual(JSON.parse(handle.out), [{ name: `service:running?id=${s!.id}`, type: 'service', value: `127.0.0.1:${port}` }]);
    const logs = r.run(['logs', 'web']);
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /starting httpd -f -p/);
    const down = r.run(['down', 'web']);
    assert.equal(down.code, 0, down.err);
    assert.equal(down.out.trim(), 'stopped httpd');
    assert.equal(await accepts(port), false, 'the port is free once down returns');
    assert.equal(alive(s!.pid!), false);
    assert.deepEqual(r.status(), []);
    const again = r.run(['down', 'web']);
    assert.equal(again.code, 1);
    assert.match(again.err, /error\[service\/not-found\]: no running service has the root web/);
  });

  it('two `up` of one name share one running service; it stops with the last root', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const name = httpd(r, port, r.addDir('shared', { 'index.html': 'x' }));
    assert.equal(r.run(['up', '--root', 'a', name]).code, 0);
    const b = r.run(['up', '--root', 'b', name]);
    assert.equal(b.code, 0, b.err);
    const list = r.status();
    assert.equal(list.length, 1);
    assert.deepEqual([...list[0]!.roots].sort(), ['a', 'b']);
    assert.equal(r.run(['down', 'a']).out.trim(), '');
    assert.equal(await accepts(port), true, 'b still holds it');
    assert.equal(r.run(['down', 'b']).out.trim(), 'stopped httpd');
    assert.equal(await accepts(port), false);
  });
});

describe('service: a backend and a client that needs its endpoint', () => {
  let r: Rig;
  before(() => { r = rig('service-graph'); });
  after(async () => { await r?.cleanUp(); });

  it('starts the backend first, gives the client its endpoint, restarts the backend after kill -9', async (t) => {
    if (!tools(t)) return;
    const [p1, p2] = [await freePort(), await freePort()];
    const www = r.addDir('www', { 'index.html': 'hello from the backend\n' });
    const cgi = r.addDir('cgi', { 'cgi-bin/get*': CGI });
    const name = `let back = ${httpd(r, p1, www, '&name=backend')} in service:process?args=[httpd, -f, -p, "127.0.0.1:${p2}", -h, $cgi]&ready="http://127.0.0.1:${p2}/cgi-bin/get"&name=client(exe: ${r.tools}/bin/busybox, cgi: ${cgi}, backend: $back)`;
    const up = r.run(['up', '--root', 'app', '--log-format', 'json', name]);
    assert.equal(up.code, 0, up.err);
    const lines = up.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; line?: string }).filter((e) => e.kind === 'log').map((e) => e.line!);
    const backendReady = lines.findIndex((l) => l.startsWith('service backend: ready'));
    const clientReady = lines.findIndex((l) => l.startsWith('service client: ready'));
    assert.ok(backendReady >= 0 && clientReady > backendReady, `order: ${lines.join(' | ')}`);
    assert.deepEqual(await get(p2, '/cgi-bin/get'), { status: 200, body: 'hello from the backend\n' });
    const backend = r.status().find((s) => s.label === 'backend')!;
    const client = r.status().find((s) => s.label === 'client')!;
    assert.ok(startedAndReady(client.log).started >= startedAndReady(backend.log).ready, 'the client was spawned once the backend was ready');
    assert.deepEqual(client.needs, [backend.id]);
    assert.deepEqual(backend.roots, [], 'the backend is held by its dependent, not by a root');
    // What holds it, as systemd's "required by": the root of the client that needs it.
    assert.deepEqual([backend.via, client.via], [['app'], []]);
    const table = r.run(['status']);
    assert.match(table.out, new RegExp(`^via app\\s+backend\\s+127\\.0\\.0\\.1:${p1}\\s`, 'm'));
    assert.match(table.out, new RegExp(`^app\\s+client\\s+127\\.0\\.0\\.1:${p2}\\s`, 'm'));

    process.kill(backend.pid!, 'SIGKILL');
    assert.ok(await until(() => { const b = r.status().find((s) => s.label === 'backend'); return b !== undefined && b.restarts >= 1 && b.ready; }, 10_000), 'restarted');
    const restarted = r.status().find((s) => s.label === 'backend')!;
    assert.notEqual(restarted.pid, backend.pid);
    assert.match(restarted.lastExit ?? '', /SIGKILL/);
    assert.equal(r.status().find((s) => s.label === 'client')!.pid, client.pid, 'the client was not restarted');
    assert.deepEqual(await get(p2, '/cgi-bin/get'), { status: 200, body: 'hello from the backend\n' });

    // Stopping goes in reverse order: the client, then the backend nothing else needs.
    const down = r.run(['down', 'app']);
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(down.out.trim().split('\n'), ['stopped client', 'stopped backend']);
    assert.equal(await accepts(p1), false);
    assert.equal(await accepts(p2), false);
  });

  it('a dependency that fails fails its dependent with an error naming it; nothing is left running', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const name = `let back = service:process?args=[false]&name=backend(exe: ${r.tools}/bin/busybox) in service:process?args=[httpd, -f, -p, "127.0.0.1:${port}"]&ready="tcp://127.0.0.1:${port}"&name=client(exe: ${r.tools}/bin/busybox, backend: $back)`;
    const up = r.run(['up', '--root', 'broken', name]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[service\/exited\]: service backend exited at once \(exited with status 1\) before it was ready/);
    assert.match(up.err, /not started, as they need it: client/);
    assert.doesNotMatch(up.err, /service client: ready/);
    assert.equal(await accepts(port), false);
    assert.ok(await until(() => r.status().length === 0, 5000), 'nothing left');
  });
});

describe('service: liveness as persistence', () => {
  let r: Rig;
  before(() => { r = rig('service-gc'); });
  after(async () => { await r?.cleanUp(); });

  it('gc while it runs deletes nothing of its closure; after down gc collects it', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const www = r.addDir('site', { 'index.html': 'kept\n' });
    const paths = [r.tools, www].map((n) => r.run(['path', n]).out.trim());
    assert.equal(r.run(['up', '--root', 'site', httpd(r, port, www)]).code, 0);
    const gc = r.run(['gc']);
    assert.equal(gc.code, 0, gc.err);
    assert.match(gc.out, /deleted 0 objects/);
    for (const p of paths) assert.ok(existsSync(p), `${p} kept`);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'kept\n' });
    assert.match(r.run(['roots']).out, /service\/[0-9a-f]{32}\/0\s+live \(while process \d+ runs\)/);
    assert.equal(r.run(['down', 'site']).code, 0);
    const after = r.run(['gc']);
    assert.equal(after.code, 0, after.err);
    for (const p of paths) assert.equal(existsSync(p), false, `${p} collected`);
  });
});

describe('service: bad input is a typed error within the timeout, nothing left running', () => {
  let r: Rig;
  let squatter: Server | undefined;
  before(() => { r = rig('service-bad'); });
  after(async () => {
    squatter?.close();
    await r?.cleanUp();
  });

  it('a port already taken', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    squatter = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => squatter!.listen(port, '127.0.0.1', resolve));
    const up = r.run(['up', '--root', 'taken', httpd(r, port, r.addDir('w1', { 'index.html': 'x' }))]);
    assert.equal(up.code, 1);
    assert.match(up.err, new RegExp(`error\\[service/port-taken\\]: service httpd: 127\\.0\\.0\\.1:${port} is already in use by another process`));
    assert.deepEqual(r.status(), []);
  });

  it('an exe that exits at once', (t) => {
    if (!tools(t)) return;
    const started = Date.now();
    const up = r.run(['up', '--root', 'quits', `service:process?args=[sh, -c, "echo no config >&2; exit 3"]&ready="tcp://127.0.0.1:9"&ready-timeout=20(exe: ${r.tools}/bin/busybox)`]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[service\/exited\]: service sh exited at once \(exited with status 3\) before it was ready; the end of its log:\n\s+no config/);
    assert.ok(Date.now() - started < 20_000);
    assert.deepEqual(r.status(), []);
  });

  it('an exe that cannot be started: the spawn error is in the error and in the log, before the exit line', (t) => {
    if (!tools(t)) return;
    // Executable, but its #! interpreter is missing: the spawn itself fails (ENOENT), the program never runs.
    const script = r.addDir('no-interpreter', { 'run*': '#!/no/such/interpreter\necho never\n' });
    const up = r.run(['up', '--root', 'unstartable', `service:process?args=[run]&restart=no(exe: ${script}/run)`]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[service\/exited\]: service run exited at once \(exited with status 127\) before it was ready; the end of its log:\n\s+--- nomia: cannot start: spawn \S+ ENOENT\n/);
    const log = /its whole log: (\S+)/.exec(up.err)?.[1];
    assert.ok(log && existsSync(log), up.err);
    assert.deepEqual(readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => l.replace(/ at \S+Z$/, '').replace(/spawn \S+/, 'spawn EXE')),
      ['--- nomia: starting run', '--- nomia: cannot start: spawn EXE ENOENT', '--- nomia: exited with status 127']);
    assert.deepEqual(r.status(), []);
  });

  it('a probe that never succeeds', async (t) => {
    if (!tools(t)) return;
    const [port, never] = [await freePort(), await freePort()];
    const started = Date.now();
    const up = r.run(['up', '--root', 'deaf', `service:process?args=[httpd, -f, -p, "127.0.0.1:${port}"]&ready="tcp://127.0.0.1:${never}"&ready-timeout=2(exe: ${r.tools}/bin/busybox)`]);
    assert.equal(up.code, 1);
    // httpd -f writes nothing: said so, not an empty "end of its log".
    assert.match(up.err, new RegExp(`error\\[service/not-ready\\]: service httpd did not become ready \\(tcp://127\\.0\\.0\\.1:${never}\\) within 2 s; it wrote nothing to its log\n`));
    assert.ok(Date.now() - started < 15_000);
    assert.equal(await accepts(port), false, 'the server that never became ready was stopped');
    assert.deepEqual(r.status(), []);
  });

  it('in a chain, one that never becomes ready fails it: its dependents are named and not started, what started is stopped', async (t) => {
    if (!tools(t)) return;
    const [pa, pb, never, pc] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const www = r.addDir('w-chain', { 'index.html': 'a\n' });
    const name = `let a = ${httpd(r, pa, www, '&name=first')}; b = service:process?args=[httpd, -f, -p, "127.0.0.1:${pb}"]&ready="tcp://127.0.0.1:${never}"&ready-timeout=1&name=deaf(exe: ${r.tools}/bin/busybox, a: $a) in ${httpd(r, pc, www, '&name=last', ', b: $b')}`;
    const up = r.run(['up', '--root', 'deaf-chain', name]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[service\/not-ready\]: service deaf did not become ready/);
    assert.match(up.err, /not started, as they need it: last/);
    assert.ok(await until(() => r.status().length === 0, 5000), 'the first, which was ready, was stopped too');
    for (const port of [pa, pb, pc]) assert.equal(await accepts(port), false, `nothing listens on ${port}`);
  });

  it('a script without its x bit, or a directory, as exe: a usage error naming the fix, before anything starts', (t) => {
    if (!tools(t)) return;
    const app = r.addDir('noexec', { 'run.sh': '#!/bin/sh\nexec sleep 100\n' });
    const up = r.run(['up', '--root', 'noexec', `service:process?args=[run.sh](exe: ${app}/run.sh)`]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[usage\]: service:process runs its input `exe`, but .*\/run\.sh is a file without its x bit\n/);
    assert.match(up.err, /hint: .*`chmod \+x` it, then `nomia add` it again/);
    const dir = r.run(['up', '--root', 'noexec', `service:process?args=[httpd](exe: ${r.tools})`]);
    assert.match(dir.err, /error\[usage\]: service:process runs its input `exe`, but .* is a directory\n/);
    assert.deepEqual(r.status(), []);
  });

  it('a wrong probe or policy is a usage error before anything starts', (t) => {
    if (!tools(t)) return;
    const bad = r.run(['up', `service:process?args=[true]&ready="udp://127.0.0.1:1"(exe: ${r.tools}/bin/busybox)`]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /error\[usage\]: service:process has ready=udp:\/\/127\.0\.0\.1:1, which is no readiness probe/);
    const policy = r.run(['up', `service:process?args=[true]&restart=sometimes(exe: ${r.tools}/bin/busybox)`]);
    assert.match(policy.err, /error\[usage\]: service:process has restart=sometimes/);
  });
});
