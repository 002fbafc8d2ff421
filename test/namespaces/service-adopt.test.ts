/**
 * A supervisor killed with SIGKILL (issue 19): its services keep running,
 * their closure stays rooted on their own processes, and the next
 * supervisor (started by `nomia status`) adopts them by pid and start time;
 * `nomia down` then stops them and frees the port. A saved pid that now
 * belongs to another process (a recycled pid) is never adopted: that
 * process is left alone and the service is started again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { requireTool } from '../support/tools.js';
import { accepts, alive, freePort, get, httpd, rig, type Rig, until } from './service-support.js';

function tools(t: TestContext): boolean {
  return requireTool(t, 'busybox', 'busybox-static') && requireTool(t, 'bash-static', 'bash-static');
}

const supervisorPid = (r: Rig) => Number(readFileSync(join(r.store, 'services', 'supervisor.pid'), 'utf8'));

/** SIGKILL the supervisor and wait until it is gone from /proc (reaped: a zombie would still pass for alive). */
async function killSupervisor(r: Rig): Promise<number> {
  const pid = supervisorPid(r);
  process.kill(pid, 'SIGKILL');
  assert.ok(await until(() => !existsSync(`/proc/${pid}`), 10_000), `supervisor ${pid} reaped`);
  return pid;
}

describe('service: the supervisor killed with SIGKILL', () => {
  let r: Rig;
  let stranger: ReturnType<typeof spawn> | undefined;
  before(() => { r = rig('service-adopt'); });
  after(async () => {
    stranger?.kill('SIGKILL');
    await r?.cleanUp();
  });

  it('its service keeps running and its closure rooted; the next supervisor adopts it; down stops it and frees the port', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const www = r.addDir('www', { 'index.html': 'still here\n' });
    const paths = [r.tools, www].map((n) => r.run(['path', n]).out.trim());
    assert.equal(r.run(['up', '--root', 'web', httpd(r, port, www)]).code, 0);
    const [before] = r.status();
    const killed = await killSupervisor(r);

    assert.ok(alive(before!.pid!), 'the service outlives its supervisor');
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'still here\n' });
    // No supervisor runs now (gc starts none): the roots on the service's own process keep its closure.
    const gc = r.run(['gc']);
    assert.equal(gc.code, 0, gc.err);
    for (const p of paths) assert.ok(existsSync(p), `${p} kept while the service runs`);

    const [adopted, ...more] = r.status();
    assert.equal(more.length, 0);
    assert.notEqual(supervisorPid(r), killed, 'status started a new supervisor');
    assert.deepEqual([adopted!.id, adopted!.pid, adopted!.roots, adopted!.state, adopted!.endpoint, adopted!.restarts],
      [before!.id, before!.pid, ['web'], 'ready', `127.0.0.1:${port}`, 0]);
    assert.match(r.run(['logs', 'web']).out, new RegExp(`adopted pid ${before!.pid}`));

    const down = r.run(['down', 'web']);
    assert.equal(down.code, 0, down.err);
    assert.equal(down.out.trim(), 'stopped httpd');
    assert.equal(await accepts(port), false, 'the port is free once down returns');
    assert.equal(alive(before!.pid!), false);
    assert.equal(r.run(['gc']).code, 0);
    for (const p of paths) assert.equal(existsSync(p), false, `${p} collected after down`);
  });

  it('a saved pid that another process holds now is not adopted: that process is left alone, the service starts again', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    assert.equal(r.run(['bootstrap-tools']).out.trim(), r.tools, 'the tools again, after the gc above');
    const www = r.addDir('www2', { 'index.html': 'again\n' });
    const up = r.run(['up', '--root', 'web2', httpd(r, port, www)]);
    assert.equal(up.code, 0, up.err);
    const [first] = r.status();
    await killSupervisor(r);
    // The service dies too, and its pid goes to a stranger: the saved pid now names a process with another start time.
    stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    process.kill(-first!.pid!, 'SIGKILL');
    assert.ok(await until(() => !alive(first!.pid!), 5000));
    const state = join(r.store, 'services', 'state.json');
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { services: { process: { pid: number } }[] };
    saved.services[0]!.process.pid = stranger.pid!;
    writeFileSync(state, JSON.stringify(saved));

    assert.ok(await until(() => { const s = r.status()[0]; return s !== undefined && s.ready && s.pid !== stranger!.pid; }, 10_000), 'started again');
    const [again] = r.status();
    assert.equal(again!.restarts, 1);
    assert.match(again!.lastExit ?? '', /ended while no supervisor watched it/);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'again\n' });
    assert.equal(r.run(['down', 'web2']).code, 0);
    assert.equal(await accepts(port), false);
    assert.ok(alive(stranger.pid!), 'the process that holds the recycled pid was not touched');
  });
});
