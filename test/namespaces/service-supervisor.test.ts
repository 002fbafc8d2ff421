/**
 * Starting the supervisor (issue 19): several started at once for one
 * store (clients that each found none) leave one serving, the others exit
 * without serving; a socket file left by a killed supervisor is taken over;
 * a chain of services starts in dependency order, each once the one before
 * is ready, and stops in reverse.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../support/tools.js';
import { alive, freePort, rig, type Rig, startedAndReady, until } from './service-support.js';

const MAIN = fileURLToPath(new URL('../../src/namespaces/service/supervisor-main.js', import.meta.url));

function tools(t: TestContext): boolean {
  return requireTool(t, 'busybox', 'busybox-static') && requireTool(t, 'bash-static', 'bash-static');
}

/** A supervisor of `store` started as client.ts starts one; resolves with its pid and output once it says it listens (or gave up). */
function startSupervisor(store: string): Promise<{ pid: number; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, store, '3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, NOMIA_FSYNC: '0' } });
  let output = '';
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve) => {
    const ready = child.stdio[3] as Readable;
    ready.once('close', () => resolve({ pid: child.pid!, output: () => output, exited }));
    ready.resume();
  });
}

describe('service: starting the supervisor', () => {
  let r: Rig;
  before(() => { r = rig('service-supervisor'); });
  after(async () => { await r?.cleanUp(); });

  it('of three started at once over a stale socket, one serves and two exit without serving', async () => {
    // A supervisor killed with SIGKILL leaves its socket file, which no one answers on.
    const first = await startSupervisor(r.store);
    const sock = join(r.store, 'services', 'supervisor.sock');
    assert.ok(existsSync(sock));
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    assert.ok(existsSync(sock), 'a killed supervisor leaves its socket file');

    const three = await Promise.all([0, 1, 2].map(() => startSupervisor(r.store)));
    const served = Number(readFileSync(join(r.store, 'services', 'supervisor.pid'), 'utf8'));
    const losers = three.filter((s) => s.pid !== served);
    assert.equal(losers.length, 2, `the pid file names one of them: ${served}`);
    for (const s of losers) {
      assert.equal(await s.exited, 0);
      assert.match(s.output(), /another supervisor serves/);
    }
    const status = r.run(['status', '--json']);
    assert.equal(status.code, 0, status.err);
    assert.deepEqual(JSON.parse(status.out), []);
    assert.ok(alive(served), 'the one that serves answered');
    process.kill(served, 'SIGTERM');
  });

  it('a chain of four starts in dependency order, each once the one before is ready, and stops in reverse', async (t) => {
    if (!tools(t)) return;
    const www = r.addDir('www', { 'index.html': 'hello\n' });
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const decls = ports.map((p, i) => `s${i} = service:process?args=[httpd, -f, -p, "127.0.0.1:${p}", -h, $www]&ready="http://127.0.0.1:${p}/"&name=s${i}(exe: ${r.tools}/bin/busybox, www: ${www}${i ? `, prev: $s${i - 1}` : ''})`);
    const up = r.run(['up', '--root', 'chain', '--log-format', 'json', `let ${decls.join('; ')} in $s3`]);
    assert.equal(up.code, 0, up.err);
    // The realize gathers the four; one question to the supervisor starts them, and each is reported ready in turn.
    const lines = up.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; line?: string })
      .filter((e) => e.kind === 'log' && /^service s\d: (to start|ready)/.test(e.line!)).map((e) => e.line!.replace(/^(service s\d: (to start|ready)).*/, '$1'));
    assert.deepEqual(lines, [...[0, 1, 2, 3].map((i) => `service s${i}: to start`), ...[0, 1, 2, 3].map((i) => `service s${i}: ready`)]);
    const status = r.status();
    const of = (i: number) => status.find((s) => s.label === `s${i}`)!;
    for (let i = 1; i < 4; i++) {
      assert.deepEqual(of(i).needs, [of(i - 1).id]);
      // Spawned only once the one it needs was ready, by the supervisor's own lines in their logs.
      assert.ok(startedAndReady(of(i).log).started >= startedAndReady(of(i - 1).log).ready, `s${i} started after s${i - 1} was ready`);
    }
    const down = r.run(['down', 'chain']);
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(down.out.trim().split('\n'), ['stopped s3', 'stopped s2', 'stopped s1', 'stopped s0']);
    assert.ok(await until(() => r.status().length === 0, 5000), 'nothing left');
  });

  it('a dependent gathered with a slow dependency starts only once that one answers: its first request is served', async (t) => {
    if (!tools(t)) return;
    const www = r.addDir('slow-www', { 'index.html': 'from the slow one\n' });
    const [p1, p2] = [await freePort(), await freePort()];
    // Binds only after 0.4 s: polled until then. The dependent fetches from it first thing and exits if it cannot.
    const slow = `service:process?args=[sh, -c, "sleep 0.4; exec $exe httpd -f -p 127.0.0.1:${p1} -h $www"]&ready="http://127.0.0.1:${p1}/"&name=slow(exe: ${r.tools}/bin/busybox, www: ${www})`;
    const eager = `service:process?args=[sh, -c, "$exe wget -q -O fetched http://$slow/index.html && exec $exe httpd -f -p 127.0.0.1:${p2}"]&ready="tcp://127.0.0.1:${p2}"&name=eager(exe: ${r.tools}/bin/busybox, slow: $s)`;
    const up = r.run(['up', '--root', 'pair', `let s = ${slow} in ${eager}`]);
    assert.equal(up.code, 0, up.err);
    const eagerInfo = r.status().find((s) => s.label === 'eager')!;
    assert.equal(readFileSync(join(eagerInfo.log, '..', 'work', 'fetched'), 'utf8'), 'from the slow one\n');
    assert.equal(r.run(['down', 'pair']).code, 0);
  });
});
