/** `nomia daemon` through the real CLI: realize over the socket, grants, bad requests, shutdown. */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { nomia, tempDir } from '../support/cli.js';
import { startDaemon } from '../support/daemon.js';

function ask(socketPath: string, lines: string[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolvePromise, reject) => {
    const s = connect(socketPath);
    const got: Record<string, unknown>[] = [];
    let buf = '';
    s.on('error', reject);
    s.on('data', (c) => {
      buf += c.toString();
      for (let nl; (nl = buf.indexOf('\n')) !== -1;) {
        got.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
      if (got.length === lines.length) {
        s.end();
        resolvePromise(got);
      }
    });
    s.write(lines.map((l) => `${l}\n`).join(''));
  });
}

test('nomia daemon realizes names for clients on its socket, within its grants', async () => {
  const dir = tempDir('daemon');
  const store = join(dir, 'store');
  writeFileSync(join(dir, 'f'), 'served\n');
  const added = nomia(store, ['add', join(dir, 'f')], { env: { NOMIA_FSYNC: '0' } }).out.trim();
  const socketPath = join(dir, 'd.sock');
  const { child, stderr } = await startDaemon(store, socketPath, { args: ['--allow', 'filesystem'], env: { NOMIA_FSYNC: '0' } });
  try {
    assert.equal(statSync(socketPath).mode & 0o777, 0o600, 'only the owner may connect');
    const answers = await ask(socketPath, [
      JSON.stringify({ id: 1, op: 'realize', name: added }),
      JSON.stringify({ id: 2, op: 'realize', name: 'context:env?var=HOME' }),
      'not json',
      JSON.stringify({ id: 4, op: 'delete' }),
    ]);
    const byId = (id: unknown) => answers.find((a) => a['id'] === id);
    const [one, two, three, four] = [byId(1), byId(2), byId(null), byId(4)];
    assert.equal(one!['ok'], true, JSON.stringify(one));
    const results = one!['results'] as { name: string; path: string }[];
    assert.equal(results[0]!.name, added);
    assert.equal(nomia(store, ['cat', added]).out, 'served\n');
    assert.equal(two!['ok'], false);
    assert.match((two!['error'] as { message: string }).message, /may not realize names in `context` \(granted: filesystem\)/);
    assert.equal((two!['error'] as { code: string }).code, 'daemon/denied');
    assert.equal(three!['id'], null);
    assert.match((three!['error'] as { message: string }).message, /not JSON/);
    assert.match((four!['error'] as { message: string }).message, /expected \{"op": "realize"/);
  } finally {
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr());
  }
});
