/**
 * `nomia up` as it answers after the realize: one question to the
 * supervisor (a hold that, without --root, names the service by its label),
 * and readiness still polled until the service answers however long it takes
 * to start; the second `up` of a running service answered from the memo of
 * `up` without realizing, and never when the name could mean another service
 * (docs/namespaces/service.md, "Speed", "The second up").
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { requireTool } from '../support/tools.js';
import { accepts, freePort, get, httpd, rig, type Rig, until } from './service-support.js';

/** The engine's events `up --log-format json` printed: none when the memo answered. */
const events = (err: string) => err.split('\n').filter((l) => l.startsWith('{"kind"'));

function tools(t: TestContext): boolean {
  return requireTool(t, 'busybox', 'busybox-static');
}

describe('service: nomia up without --root, and a slow start', () => {
  let r: Rig;
  before(() => { r = rig('service-up-root'); });
  after(async () => { await r?.cleanUp(); });

  it('without --root the root is the label; a second up of the name joins the same service under it', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const name = httpd(r, port, r.addDir('www', { 'index.html': 'x' }), '&name=front');
    const first = r.run(['up', '--json', name]);
    assert.equal(first.code, 0, first.err);
    const one = JSON.parse(first.out) as { root: string; id: string; endpoint: string; pid: number };
    assert.deepEqual([one.root, one.endpoint], ['front', `127.0.0.1:${port}`]);
    const second = r.run(['up', name]);
    assert.equal(second.code, 0, second.err);
    assert.equal(second.out.trim(), `front: front ready at 127.0.0.1:${port} (pid ${one.pid})`);
    const list = r.status();
    assert.deepEqual(list.map((s) => [s.id, s.roots]), [[one.id, ['front']]]);
    assert.equal(r.run(['down', 'front']).out.trim(), 'stopped front');
    assert.equal(await accepts(port), false);
  });

  it('a label that is no root name, without --root, is store/root and leaves nothing running', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const up = r.run(['up', httpd(r, port, r.addDir('www2', { 'index.html': 'x' }), '&name="two words"')]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[store\/root\]: "two words" is not a valid root name/);
    // Its realizing process has exited: the next question lets go of what only it held.
    assert.ok(await until(() => r.status().length === 0, 5000), 'nothing left');
    assert.equal(await accepts(port), false);
  });

  it('a service that binds only after a while is polled until it answers: up returns once it does', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const www = r.addDir('slow', { 'index.html': 'late\n' });
    // Many probe attempts fail before it binds: the back-off must keep going, not give up or answer early.
    const name = `service:process?args=[sh, -c, "sleep 1.5; exec \\"$0\\" httpd -f -p 127.0.0.1:${port} -h $www", $exe]&ready="http://127.0.0.1:${port}/"&name=slow(exe: ${r.tools}/bin/busybox, www: ${www})`;
    const up = r.run(['up', name]);
    assert.equal(up.code, 0, up.err);
    assert.match(up.out, /^slow: slow ready at/);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'late\n' });
    const log = r.run(['logs', 'slow']).out;
    assert.equal(log.match(/--- nomia: starting/g)?.length, 1, 'started once, not restarted while it was starting');
    assert.equal(r.run(['down', 'slow']).code, 0);
  });
});

describe('service: the second up of a running service', () => {
  let r: Rig;
  before(() => { r = rig('service-up-memo'); });
  after(async () => { await r?.cleanUp(); });

  it('is answered from the memo while it runs (no realize); after down the next up starts it again', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const name = httpd(r, port, r.addDir('www', { 'index.html': 'x' }), '&name=memo');
    const first = r.run(['up', '--log-format', 'json', '--json', name]);
    assert.equal(first.code, 0, first.err);
    assert.ok(events(first.err).length > 0, 'the first up realizes');
    const one = JSON.parse(first.out) as { id: string; pid: number };
    const second = r.run(['up', '--log-format', 'json', '--json', name]);
    assert.equal(second.code, 0, second.err);
    assert.deepEqual(events(second.err), [], 'the second up does not realize');
    assert.deepEqual(JSON.parse(second.out), JSON.parse(first.out));
    const other = r.run(['up', '--root', 'other', '--log-format', 'json', name]);
    assert.equal(other.code, 0, other.err);
    assert.deepEqual(events(other.err), []);
    assert.deepEqual([...r.status()[0]!.roots].sort(), ['memo', 'other'], 'the memo path holds it under its root as the full one does');
    assert.equal(r.run(['down', 'other']).code, 0);
    assert.equal(r.run(['down', 'memo']).out.trim(), 'stopped memo');
    const again = r.run(['up', '--log-format', 'json', '--json', name]);
    assert.equal(again.code, 0, again.err);
    assert.ok(events(again.err).length > 0, 'a memo of a stopped service is not an answer');
    const restarted = JSON.parse(again.out) as { id: string; pid: number };
    assert.equal(restarted.id, one.id);
    assert.notEqual(restarted.pid, one.pid);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'x' });
    assert.equal(r.run(['down', 'memo']).code, 0);
  });

  it('a name with a contextual part is realized every time: a changed file gives the new service', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    r.addDir('site', { 'index.html': 'one\n' });
    const name = `service:process?args=[httpd, -f, -p, "127.0.0.1:${port}", -h, $www]&ready="http://127.0.0.1:${port}/"&name=ctx(exe: ${r.tools}/bin/busybox, www: filesystem:import?path=./site)`;
    const first = r.run(['up', '--json', name]);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'one\n' });
    const same = r.run(['up', '--log-format', 'json', '--json', name]);
    assert.equal(same.code, 0, same.err);
    assert.ok(events(same.err).length > 0, 'realized again');
    writeFileSync(join(r.dir, 'site', 'index.html'), 'two\n');
    // Another site is another service; the port is the old one's until it is let go of.
    assert.equal(r.run(['down', 'ctx']).code, 0);
    const changed = r.run(['up', '--json', name]);
    assert.equal(changed.code, 0, changed.err);
    assert.notEqual((JSON.parse(changed.out) as { id: string }).id, (JSON.parse(first.out) as { id: string }).id);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'two\n' });
    assert.equal(r.run(['down', 'ctx']).code, 0);
  });
});
