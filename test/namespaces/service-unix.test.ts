/**
 * Unix-socket endpoints (issue 19): `$socket` is a fresh socket path in the
 * service's own directory, `ready=$socket` probes it by a connect, and the
 * path is the endpoint a dependent gets. Real Python servers on Unix
 * sockets; a relay that needs the backend's socket; kill -9 of the backend
 * (which leaves its socket file behind) and the restart binds again.
 */
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { requireTool } from '../support/tools.js';
import { alive, rig, type Rig, until } from './service-support.js';

/** `python3 SERVE SOCKET [BACKEND]`: answers a line with "hello LINE", or with what BACKEND answers to it. */
const SERVE = `import os, socket, socketserver, sys
class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        if not line:
            return
        if len(sys.argv) > 2:
            with socket.socket(socket.AF_UNIX) as b:
                b.connect(sys.argv[2])
                b.sendall(line)
                self.wfile.write(b"relayed " + b.makefile("rb").readline())
        else:
            self.wfile.write(b"hello " + line)
socketserver.UnixStreamServer(sys.argv[1], Handler).serve_forever()
`;

/** Send one line to the Unix socket `path`; the line answered, or the error's code. */
function ask(path: string, line: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ path });
    let text = '';
    s.once('connect', () => s.write(`${line}\n`));
    s.on('data', (c) => { text += c.toString('utf8'); });
    s.once('end', () => resolve(text));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
  });
}

function tools(t: TestContext): boolean {
  return requireTool(t, 'python3', 'python3') && requireTool(t, 'busybox', 'busybox-static');
}

describe('service: Unix-socket endpoints', () => {
  let r: Rig;
  let python = '';
  let serve = '';
  let squatter: Server | undefined;
  before(() => { r = rig('service-unix'); });
  after(async () => {
    squatter?.close();
    await r?.cleanUp();
  });

  const server = (label: string, extra = '', inputs = '') =>
    `service:process?args=[python3, $serve, $socket${extra}]&ready=$socket&name=${label}(exe: ${python}, serve: ${serve}${inputs})`;

  it('a service on $socket is ready when the socket accepts; a dependent gets its path; kill -9 and it binds again', async (t) => {
    if (!tools(t)) return;
    python = r.run(['add', '--name', 'python3', realpathSync('/usr/bin/python3')]).out.trim();
    // `python3 DIR` runs DIR/__main__.py.
    serve = r.addDir('serve', { '__main__.py': SERVE });
    const name = `let back = ${server('backend')} in ${server('relay', ', $back', ', back: $back')}`;
    const up = r.run(['up', '--root', 'relay', '--json', name]);
    assert.equal(up.code, 0, up.err);
    const { endpoint } = JSON.parse(up.out) as { endpoint: string };
    const [backend, relay] = ['backend', 'relay'].map((l) => r.status().find((s) => s.label === l)!);
    assert.equal(endpoint, join(r.store, 'services', relay!.id, 'socket'), 'the endpoint is the relay\'s own socket');
    assert.equal(backend!.endpoint, join(r.store, 'services', backend!.id, 'socket'));
    // No retry: ready means it answers now; the relay reached the backend by the path it was given.
    assert.equal(await ask(endpoint, 'x'), 'relayed hello x\n');

    process.kill(backend!.pid!, 'SIGKILL');
    assert.ok(existsSync(backend!.endpoint), 'a killed server leaves its socket file');
    assert.ok(await until(() => { const b = r.status().find((s) => s.label === 'backend'); return b !== undefined && b.restarts >= 1 && b.ready; }, 10_000), 'restarted');
    assert.equal(await ask(endpoint, 'y'), 'relayed hello y\n');

    const down = r.run(['down', 'relay']);
    assert.deepEqual(down.out.trim().split('\n'), ['stopped relay', 'stopped backend']);
    assert.equal(await ask(endpoint, 'z'), 'error ENOENT');
    assert.equal(alive(relay!.pid!), false);
  });

  it('ready=unix:///PATH: a socket someone else listens on is port-taken; the path is the endpoint', async (t) => {
    if (!tools(t) || !python) return;
    const path = join(r.dir, 'taken.sock');
    squatter = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => squatter!.listen(path, resolve));
    const name = `service:process?args=[python3, $serve, "${path}"]&ready="unix://${path}"&name=fixed(exe: ${python}, serve: ${serve})`;
    const taken = r.run(['up', '--root', 'fixed', name]);
    assert.equal(taken.code, 1);
    assert.match(taken.err, new RegExp(`error\\[service/port-taken\\]: service fixed: the Unix socket ${path} is already in use by another process`));
    await new Promise((resolve) => squatter!.close(resolve));
    squatter = undefined;
    const up = r.run(['up', '--root', 'fixed', '--json', name]);
    assert.equal(up.code, 0, up.err);
    assert.equal((JSON.parse(up.out) as { endpoint: string }).endpoint, path);
    assert.equal(await ask(path, 'w'), 'hello w\n');
    assert.equal(r.run(['down', 'fixed']).code, 0);
  });

  it('$socket names a path of the service\'s own: a long store home is a usage error', (t) => {
    if (!tools(t) || !python) return;
    const deep = join(r.dir, 'x'.repeat(80));
    const pythonThere = r.run(['--store', deep, 'add', '--name', 'python3', realpathSync('/usr/bin/python3')]);
    assert.equal(pythonThere.out.trim(), python);
    assert.equal(r.run(['--store', deep, 'add', '--name', 'serve', join(r.dir, 'serve')]).out.trim(), serve);
    const up = r.run(['--store', deep, 'up', server('deep')]);
    assert.equal(up.code, 1);
    assert.match(up.err, /error\[usage\]: .*uses \$socket, but its path .* is longer than a Unix socket address holds \(107 bytes\)/);
  });
});
