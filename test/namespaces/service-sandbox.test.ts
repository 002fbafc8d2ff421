/**
 * A service with a `root:` input (issue 19): nginx from a `deb:closure`
 * tree, run in bubblewrap with the tree as `/`, serving a by-content
 * directory on 127.0.0.1 (the host's network); `down` stops bwrap and every
 * process in the sandbox, and frees the port. Needs apt's archive (as the
 * deb tests do) and bubblewrap.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { requireTool } from '../support/tools.js';
import { accepts, alive, freePort, get, rig, type Rig } from './service-support.js';

function tools(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'busybox', 'busybox-static');
}

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parent = (p: string) => Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  const all = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      return [[Number(p), parent(p)] as const];
    } catch {
      return [];
    }
  });
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    frontier = all.filter(([, pp]) => frontier.includes(pp)).map(([p]) => p);
    found.push(...frontier);
  }
  return found;
}

describe('service: sandboxed, with a deb:closure root', () => {
  let r: Rig;
  before(() => { r = rig('service-sandbox'); });
  after(async () => {
    await r?.cleanUp();
    // A package closure is hundreds of MB: not left behind in /tmp.
    if (r) rmSync(r.dir, { recursive: true, force: true });
  });

  it('nginx from deb:closure?packages=[nginx-light] serves a by-content directory; down leaves no process of it', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const site = r.addDir('site', { 'index.html': 'hello from nginx in a deb root\n' });
    const sitePath = r.run(['path', site]).out.trim();
    // Everything nginx writes goes to the sandbox's private /tmp; no `user`: it runs as uid 1000 in the sandbox.
    writeFileSync(join(r.dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid /tmp/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path /tmp/body; proxy_temp_path /tmp/proxy; fastcgi_temp_path /tmp/fastcgi; uwsgi_temp_path /tmp/uwsgi; scgi_temp_path /tmp/scgi;
  server { listen 127.0.0.1:${port}; root ${sitePath}; }
}
`);
    const conf = r.run(['add', '--name', 'nginx.conf', join(r.dir, 'nginx.conf')]).out.trim();
    const name = `service:process?args=[nginx, -c, $conf, -p, /tmp/, -e, stderr]&ready="http://127.0.0.1:${port}/"(root: deb:closure?packages=[nginx-light], conf: ${conf}, site: ${site})`;
    const up = r.run(['up', '--root', 'nginx', '--log-format', 'plain', name], 600_000);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'hello from nginx in a deb root\n' });
    const [s] = r.status();
    assert.equal(s!.state, 'ready');
    const inside = descendants(s!.pid!);
    assert.ok(inside.length >= 2, `bwrap's child and nginx's processes: ${inside.join(' ')}`);
    const nginx = inside.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('nginx: master'));
    assert.ok(nginx, 'the nginx master runs under bwrap');
    assert.notEqual(readlinkSync(`/proc/${nginx}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'), 'in a mount namespace of its own');
    assert.equal(readlinkSync(`/proc/${nginx}/ns/net`), readlinkSync('/proc/self/ns/net'), 'on the host\'s network');

    const down = r.run(['down', 'nginx']);
    assert.equal(down.code, 0, down.err);
    assert.equal(down.out.trim(), 'stopped nginx');
    assert.equal(await accepts(port), false, 'the port is free once down returns');
    for (const p of [s!.pid!, ...inside]) assert.equal(alive(p), false, `process ${p} of the sandbox has ended`);
  });

  it('an exe from the store runs in the root with args[0] as its argv[0] (busybox httpd)', async (t) => {
    if (!tools(t)) return;
    const port = await freePort();
    const site = r.addDir('site2', { 'index.html': 'busybox in a deb root\n' });
    const name = `service:process?args=[httpd, -f, -p, "127.0.0.1:${port}", -h, $site]&ready="http://127.0.0.1:${port}/"(exe: ${r.tools}/bin/busybox, root: deb:closure?packages=[nginx-light], site: ${site})`;
    const up = r.run(['up', '--root', 'bb', name], 600_000);
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(await get(port, '/index.html'), { status: 200, body: 'busybox in a deb root\n' });
    assert.equal(r.run(['down', 'bb']).code, 0);
    assert.equal(await accepts(port), false);
  });
});
