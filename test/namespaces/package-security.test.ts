/**
 * What a sandboxed build must not be able to do (issue 5). Each test also
 * runs the same build with `--sandbox=none` where that is safe, to show the
 * probe works: a weakened sandbox turns the same assertion red.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nomia } from '../support/cli.js';
import { bench, build, realize, sandboxTools, script, type Bench } from './package-support.js';

describe('the build sandbox', () => {
  let b: Bench | undefined;
  const get = () => (b ??= bench('sandbox'));

  test('cannot reach the network: a server on the host loopback sees no connection', async (t) => {
    if (!sandboxTools(t)) return;
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const s = script(get(), `if (echo hello > /dev/tcp/127.0.0.1/${port}) 2>/dev/null; then echo connected > $out; else echo blocked > $out; fi\n`);
      const boxed = realize(get(), build(get(), s, '&name=net'));
      assert.equal(boxed.code, 0, boxed.err);
      assert.equal(readFileSync(boxed.path, 'utf8'), 'blocked\n');
      assert.equal(connections, 0);
      const open = realize(get(), build(get(), s, '&name=net-open'), ['--sandbox', 'none']);
      assert.equal(readFileSync(open.path, 'utf8'), 'connected\n', 'the probe does detect a connection');
      for (let i = 0; i < 100 && connections === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(connections, 1);
    } finally {
      server.close();
    }
  });

  test('cannot read files outside its inputs', (t) => {
    if (!sandboxTools(t)) return;
    const secret = join(get().dir, 'secret.txt');
    writeFileSync(secret, 'the host secret\n');
    const s = script(get(), `mkdir $out\ncat ${secret} > $out/secret 2>&1\ncat /etc/passwd > $out/passwd 2>&1\nls / > $out/root\ntrue\n`);
    const boxed = realize(get(), build(get(), s, '&name=read'));
    assert.equal(boxed.code, 0, boxed.err);
    assert.doesNotMatch(readFileSync(join(boxed.path, 'secret'), 'utf8'), /the host secret/);
    assert.doesNotMatch(readFileSync(join(boxed.path, 'passwd'), 'utf8'), /root:x:0:0/);
    // The root holds only what the sandbox mounts: /dev, /proc, /tmp and the store's own path.
    const allowed = new Set(['dev', 'proc', 'tmp', get().store.split('/')[1]!]);
    for (const entry of readFileSync(join(boxed.path, 'root'), 'utf8').split('\n').filter(Boolean)) assert.ok(allowed.has(entry), `/${entry} is visible in the sandbox`);
    const open = realize(get(), build(get(), s, '&name=read-open'), ['--sandbox', 'none']);
    assert.match(readFileSync(join(open.path, 'secret'), 'utf8'), /the host secret/, 'the probe does read it without a sandbox');
  });

  test('an input object that is a symlink out of the store shows the link, not its host target', (t) => {
    if (!sandboxTools(t)) return;
    const secretDir = join(get().dir, 'secret-dir');
    mkdirSync(secretDir);
    writeFileSync(join(secretDir, 'host-secret-file'), 'secret\n');
    const link = join(get().dir, 'hostlink');
    symlinkSync(secretDir, link);
    const linkName = nomia(get().store, ['add', link], { env: { NOMIA_FSYNC: '0' } }).out.trim();
    const r = realize(get(), build(get(), script(get(), 'ls $lnk/ > $out 2>&1; true\n'), '&name=linkin', `, lnk: ${linkName}`));
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(readFileSync(r.path, 'utf8'), /host-secret-file/);
  });

  test('cannot write outside $out and /tmp', (t) => {
    if (!sandboxTools(t)) return;
    const target = join(get().dir, 'pwned');
    const storeDir = join(get().store, 'store');
    const s = script(get(), [
      'mkdir $out',
      `echo x > ${target} 2>/dev/null && echo host >> $out/wrote`,
      'echo x > /pwned 2>/dev/null && echo root >> $out/wrote',
      `echo x > ${storeDir}/pwned 2>/dev/null`,
      `echo x > $exe 2>/dev/null && echo input >> $out/wrote`,
      'echo x > /tmp/fine && echo tmp >> $out/wrote',
      'true',
    ].join('\n'));
    const r = realize(get(), build(get(), s, '&name=write'));
    assert.equal(r.code, 0, r.err);
    // (The test's directory may be under /tmp, which is the sandbox's own: a write there lands in the sandbox.)
    const wrote = readFileSync(join(r.path, 'wrote'), 'utf8').split('\n').filter((w) => w && w !== 'host');
    assert.deepEqual(wrote, ['tmp'], 'only /tmp (and $out) are writable');
    assert.equal(existsSync(target), false, 'nothing written on the host');
    assert.equal(existsSync(join(storeDir, 'pwned')), false, 'the store itself is not written');
    // The control writes only the test's own file: without a sandbox the other probes would hit the host for real.
    realize(get(), build(get(), script(get(), `echo x > ${target}; echo done > $out\n`), '&name=write-open'), ['--sandbox', 'none']);
    assert.equal(existsSync(target), true, 'the probe does write without a sandbox');
  });

  test('cannot see host processes', async (t) => {
    if (!sandboxTools(t)) return;
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const s = script(get(), `if [ -e /proc/${sleeper.pid} ]; then echo visible > $out; else echo hidden > $out; fi\nls /proc | grep -c '^[0-9]' >> $out\n`);
      const r = realize(get(), build(get(), s, '&name=pids'));
      assert.equal(r.code, 0, r.err);
      const [seen, count] = readFileSync(r.path, 'utf8').split('\n');
      assert.equal(seen, 'hidden');
      assert.ok(Number(count) <= 5, `only the build's own processes are in /proc, saw ${count}`);
      const open = realize(get(), build(get(), s, '&name=pids-open'), ['--sandbox', 'none']);
      assert.equal(readFileSync(open.path, 'utf8').split('\n')[0], 'visible', 'the probe does see it without a sandbox');
    } finally {
      sleeper.kill();
    }
  });

  test('cannot leave a setuid file in its output', (t) => {
    if (!sandboxTools(t)) return;
    const r = realize(get(), build(get(), script(get(), 'mkdir $out\necho "#!/bin/sh" > $out/tool\nchmod 6755 $out/tool\nmkdir $out/d\nchmod 1777 $out/d\n'), '&name=setuid'));
    assert.equal(r.code, 0, r.err);
    assert.equal(lstatSync(join(r.path, 'tool')).mode & 0o7777, 0o555);
    assert.equal(lstatSync(join(r.path, 'd')).mode & 0o7777, 0o555);
  });
});
