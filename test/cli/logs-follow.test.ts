/**
 * `nomia logs -f R` through the real CLI: it prints the service's log as it
 * grows and ends once the service is stopped (`nomia down R`), as
 * `docker logs -f` ends with its container. It used to follow the file of
 * a stopped service until ^C.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it, type TestContext } from 'node:test';
import { nomiaAsync } from '../support/cli.js';
import { requireTool } from '../support/tools.js';
import { freePort, httpd, rig, type Rig, until } from '../namespaces/service-support.js';

describe('nomia logs -f', () => {
  let r: Rig;
  before(() => { r = rig('logs-follow'); });
  after(async () => { await r?.cleanUp(); });

  it('prints the log, then ends when the service is stopped', async (t: TestContext) => {
    if (!requireTool(t, 'busybox', 'busybox-static')) return;
    const port = await freePort();
    const www = r.addDir('www', { 'index.html': 'followed\n' });
    const up = r.run(['up', '--root', 'web', httpd(r, port, www)]);
    assert.equal(up.code, 0, up.err);
    const follow = nomiaAsync(r.store, ['logs', '-f', 'web'], { NOMIA_FSYNC: '0' });
    let out = '';
    follow.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    const ended = once(follow, 'exit');
    try {
      assert.ok(await until(() => out.includes('starting httpd'), 20_000), 'the log is printed');
      assert.equal(r.run(['down', 'web']).code, 0);
      // A bound so that a follower that never ends fails the test instead of hanging it.
      const bound = new Promise<string>((resolve) => setTimeout(() => resolve('still following'), 20_000).unref());
      const outcome = await Promise.race([ended.then(([code]) => `exited ${String(code)}`), bound]);
      assert.equal(outcome, 'exited 0', out);
      assert.match(out, /was killed by SIGTERM/, 'what the service wrote up to its end is printed');
    } finally {
      follow.kill('SIGKILL');
    }
  });
});
