/**
 * The supervisor's writes for after its death (docs/namespaces/service.md,
 * "Liveness as persistence"): one save of its table per spawn, none of its
 * own for a service becoming ready (the next spawn's save, or the hold
 * after a start, records that), and none for a hold that adds no root
 * (the second `up` of a running service). What each save holds is checked
 * too: after `up` returns, every service of the chain is in `state.json`,
 * ready, so a supervisor killed then leaves nothing its successor does not
 * know.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nomia } from '../support/cli.js';
import { requireTool } from '../support/tools.js';
import { freePort, httpd, rig, type Rig, until } from './service-support.js';

describe('service: the supervisor\'s saves', () => {
  let r: Rig;
  before(() => { r = rig('service-saves'); });
  after(async () => { await r?.cleanUp(); });

  const statePath = () => join(r.store, 'services', 'state.json');

  it('a chain of 3 is saved once per spawn, and every service is saved ready when up returns', async (t) => {
    if (!requireTool(t, 'busybox', 'busybox-static')) return;
    const www = r.addDir('www', { 'index.html': 'hello\n' });
    const ports = [await freePort(), await freePort(), await freePort()];
    const decls = ports.map((p, i) => `s${i} = service:process?args=[httpd, -f, -p, "127.0.0.1:${p}", -h, $www]&ready="http://127.0.0.1:${p}/"&name=s${i}(exe: ${r.tools}/bin/busybox, www: ${www}${i ? `, prev: $s${i - 1}` : ''})`);
    const trace = join(r.dir, 'trace');
    // The supervisor this up starts traces too: it takes the variable from the command that starts it.
    const up = nomia(r.store, ['up', '--root', 'chain', `let ${decls.join('; ')} in $s2`], { cwd: r.dir, env: { NOMIA_FSYNC: '0', NOMIA_SERVICE_TRACE: trace }, timeout: 60_000 });
    assert.equal(up.code, 0, up.err);

    const steps = readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(2).join(' '));
    const asked = steps.indexOf('supervisor: start-all of 3 asked');
    const answered = steps.indexOf('supervisor: start-all answered');
    assert.ok(asked >= 0 && answered > asked, `the start traced: ${steps.join(' | ')}`);
    const during = steps.slice(asked, answered);
    assert.equal(during.filter((s) => / spawned$/.test(s)).length, 3);
    assert.equal(during.filter((s) => s === 'supervisor: state saved').length, 3, `one save per spawn: ${during.join(' | ')}`);

    const saved = JSON.parse(readFileSync(statePath(), 'utf8')) as { services: { spec: { label: string }; process?: { ready: boolean } }[] };
    assert.deepEqual(saved.services.map((s) => [s.spec.label, s.process?.ready]), [['s0', true], ['s1', true], ['s2', true]]);
  });

  it('the second up of a running service (answered from the memo of up) does not write the table', async (t) => {
    if (!requireTool(t, 'busybox', 'busybox-static')) return;
    const www = r.addDir('www2', { 'index.html': 'again\n' });
    const name = httpd(r, await freePort(), www);
    assert.equal(r.run(['up', '--root', 'web', name]).code, 0);
    // That up's own process held the service until it exited; the supervisor lets go of it (a change, saved) on its next tick.
    assert.ok(await until(() => !readFileSync(statePath(), 'utf8').includes('"pid:'), 10_000), 'the exited up no longer holds it');
    const before = statSync(statePath());
    const again = r.run(['up', '--root', 'web', name]);
    assert.equal(again.code, 0, again.err);
    const after = statSync(statePath());
    // Each save writes a new file and renames it into place: the same inode is no write.
    assert.equal(after.ino, before.ino, 'state.json was not rewritten');
    // A new root for it is a change, and saved.
    assert.equal(r.run(['up', '--root', 'web2', name]).code, 0);
    assert.notEqual(statSync(statePath()).ino, before.ino, 'a new root is saved');
  });
});
