/**
 * The store through the real CLI: add/cat/ls/path/dump/import with Nix as the
 * oracle, crash safety under kill -9, concurrent adds, gc and roots, verify
 * and repair, and every kind of bad input.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeTree, nomia, nomiaAsync, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const NAME = /^filesystem:by-content\?name=([^&]+)&sha256=([0-9a-f]{64})$/;

function add(store: string, path: string, ...more: string[]): string {
  const r = nomia(store, ['add', path, ...more]);
  assert.equal(r.code, 0, r.err);
  const name = r.out.trim();
  assert.match(name, NAME);
  return name;
}

function assertConsistent(store: string): void {
  const v = nomia(store, ['verify', '--json']);
  const report = JSON.parse(v.out);
  assert.equal(report.consistent, true, v.out);
  assert.equal(v.code, 0, v.err);
}

function sampleTree(dir: string): string {
  mkdirSync(join(dir, 'src', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'src', 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'src', 'empty'), '');
  writeFileSync(join(dir, 'src', 'bin', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  writeFileSync(join(dir, 'src', 'ünïcödé.txt'), 'u\n');
  symlinkSync('hello.txt', join(dir, 'src', 'link'));
  symlinkSync('/etc/passwd', join(dir, 'src', 'abs-link'));
  mkdirSync(join(dir, 'src', 'empty-dir'));
  return join(dir, 'src');
}

describe('add, cat, ls, path, dump, import', () => {
  test('the hash and the NAR are Nix\'s (nix-hash, nix-store --dump)', (t) => {
    if (!requireTool(t, 'nix-store', 'nix-bin')) return;
    const dir = tempDir('add');
    const store = join(dir, 'store');
    const src = sampleTree(dir);
    const name = add(store, src);
    const [, objName, hash] = NAME.exec(name)!;
    assert.equal(objName, 'src');
    assert.equal(hash, execFileSync('nix-hash', ['--type', 'sha256', src], { encoding: 'utf8' }).trim());
    const nixDump = execFileSync('nix-store', ['--dump', src]);
    const ourBytes = execFileSync(process.execPath, [join(import.meta.dirname, '../../../bin/nomia.js'), '--store', store, 'dump', name]);
    assert.ok(ourBytes.equals(nixDump), 'nomia dump equals nix-store --dump');
  });

  test('files come out read-only with normalized metadata; cat, ls, path and projections work', () => {
    const dir = tempDir('ls');
    const store = join(dir, 'store');
    const name = add(store, sampleTree(dir));
    const path = nomia(store, ['path', name]).out.trim();
    assert.match(path, new RegExp(`^${store}/store/[0-9a-z]{52}-src$`));
    assert.equal(nomia(store, ['cat', `${name}/hello.txt`]).out, 'hello\n');
    assert.equal(nomia(store, ['cat', `${path}/bin/tool`]).out, '#!/bin/sh\necho tool\n');
    const ls = JSON.parse(nomia(store, ['ls', '--json', '-R', name]).out) as { path: string; type: string; executable: boolean; target?: string }[];
    assert.deepEqual(ls.map((e) => e.path), ['abs-link', 'bin', 'bin/tool', 'empty', 'empty-dir', 'hello.txt', 'link', 'ünïcödé.txt']);
    assert.equal(ls.find((e) => e.path === 'bin/tool')?.executable, true);
    assert.equal(ls.find((e) => e.path === 'link')?.target, 'hello.txt');
    assert.match(nomia(store, ['ls', name, 'bin']).out, /^-r-xr-xr-x +20 tool$/m);
    const st = spawnSync('stat', ['-c', '%a %Y', `${path}/hello.txt`, `${path}/bin/tool`, path], { encoding: 'utf8' }).stdout;
    assert.equal(st, '444 1\n555 1\n555 1\n');
  });

  test('re-adding prints the same name; --name renames; the same content under two names is two objects', () => {
    const dir = tempDir('readd');
    const store = join(dir, 'store');
    const src = sampleTree(dir);
    const a = add(store, src);
    assert.equal(add(store, src), a);
    const b = add(store, src, '--name', 'other');
    assert.match(b, /name=other&sha256=/);
    assert.equal(NAME.exec(a)![2], NAME.exec(b)![2]);
    assert.equal(readdirSync(join(store, 'store')).length, 2);
  });

  test('dump | import round-trips, and import of a corrupt NAR changes nothing', () => {
    const dir = tempDir('import');
    const store = join(dir, 'store');
    const name = add(store, sampleTree(dir));
    const nar = execFileSync(process.execPath, [join(import.meta.dirname, '../../../bin/nomia.js'), '--store', store, 'dump', name]);
    const other = join(dir, 'other');
    const imported = nomia(other, ['import', '--name', 'src'], { input: nar });
    assert.equal(imported.out.trim(), name, imported.err);
    for (const bad of [nar.subarray(0, nar.length - 20), Buffer.concat([nar, Buffer.from('x')]), Buffer.from('not a nar at all')]) {
      const r = nomia(join(dir, 'third'), ['import'], { input: bad });
      assert.equal(r.code, 1);
      assert.match(r.err, /^error\[nar\/corrupt\]/);
      assert.deepEqual(readdirSync(join(dir, 'third', 'store')), []);
      assert.deepEqual(readdirSync(join(dir, 'third', 'tmp')), []);
    }
    assertConsistent(join(dir, 'third'));
  });
});

describe('nomia hash', () => {
  test('hash path and convert print hex, Nix base32 and SRI as Nix does', (t) => {
    if (!requireTool(t, 'nix-hash', 'nix-bin')) return;
    const dir = tempDir('hash');
    const src = sampleTree(dir);
    const store = join(dir, 'store');
    const hex = nomia(store, ['hash', 'path', src]).out.trim();
    assert.equal(hex, execFileSync('nix-hash', ['--type', 'sha256', src], { encoding: 'utf8' }).trim());
    const b32 = nomia(store, ['hash', 'path', '--format', 'base32', src]).out.trim();
    assert.equal(b32, execFileSync('nix-hash', ['--type', 'sha256', '--base32', src], { encoding: 'utf8' }).trim());
    const sri = nomia(store, ['hash', 'convert', b32]).out.trim();
    assert.equal(sri, execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'hash', 'path', src], { encoding: 'utf8' }).trim());
    assert.equal(nomia(store, ['hash', 'convert', '--format', 'hex', sri]).out.trim(), hex);
    assert.equal(nomia(store, ['hash', 'convert', '--format', 'base32', `sha256:${hex}`]).out.trim(), b32);
    const bad = nomia(store, ['hash', 'convert', 'nope']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error\[hash\/invalid\]/);
  });
});

describe('bad input gives a clear error and leaves the store valid', () => {
  test('a missing path', () => {
    const store = join(tempDir('missing'), 'store');
    const r = nomia(store, ['add', '/nonexistent/thing']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[store\/io\]: cannot add \/nonexistent\/thing: it does not exist/);
    assertConsistent(store);
  });

  test('a socket, a FIFO and a device', async () => {
    const dir = tempDir('special');
    const store = join(dir, 'store');
    const sock = join(dir, 'tree', 'sock');
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'tree', 'ok'), 'ok');
    const server = createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      const r = nomia(store, ['add', join(dir, 'tree')]);
      assert.equal(r.code, 1);
      assert.match(r.err, /^error\[store\/unsupported-file\]: .*\/tree\/sock is a socket; the store holds only regular files/);
    } finally {
      server.close();
    }
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    assert.match(nomia(store, ['add', join(dir, 'fifo')]).err, /fifo is a FIFO \(named pipe\)/);
    assert.match(nomia(store, ['add', '/dev/null', '--name', 'null']).err, /\/dev\/null is a character device/);
    assert.deepEqual(readdirSync(join(store, 'store')), []);
    assert.deepEqual(readdirSync(join(store, 'tmp')), []);
    assertConsistent(store);
  });

  test('a name that is not in the store, and names that are not store names', () => {
    const store = join(tempDir('notfound'), 'store');
    const r = nomia(store, ['cat', `filesystem:by-content?sha256=${'ab'.repeat(32)}`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[store\/not-found\]: no object with sha256 abab/);
    assert.match(nomia(store, ['cat', 'git:exact-fetch?rev=1']).err, /^error\[usage\]: .* is not the name of a store object/);
    assert.match(nomia(store, ['cat', 'filesystem:by-content?sha256=xyz']).err, /^error\[hash\/invalid\]/);
  });

  test('a store directory that is not writable (run as nobody)', (t) => {
    if (!requireTool(t, 'setpriv', 'util-linux')) return;
    if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
    const dir = tempDir('readonly');
    chmodSync(dir, 0o755);
    const store = join(dir, 'store');
    mkdirSync(store, { mode: 0o755 });
    const src = join(dir, 'file');
    writeFileSync(src, 'x', { mode: 0o644 });
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath,
      join(import.meta.dirname, '../../../bin/nomia.js'), '--store', store, 'add', src], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: '/tmp' } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error\[store\/read-only\]: permission denied/);
    assert.match(r.stderr, /hint: use a store you can write/);
  });

  test('a disk that fills up during add (a 4 MiB tmpfs)', (t) => {
    const dir = tempDir('full');
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    if (m.status !== 0) {
      if (process.env['CI'] === 'true') assert.fail(`cannot mount a tmpfs under CI: ${m.stderr}`);
      return t.skip('cannot mount a tmpfs here (needs root)');
    }
    try {
      const store = join(mnt, 'store');
      // 8 MiB is written in this thread; 20 MiB and 400 files go through the copy worker.
      for (const [tree, dirs, files, mib] of [['big8', 1, 3, 8], ['big20', 1, 3, 20], ['many', 4, 100, 5]] as const) {
        makeTree(join(dir, tree), dirs, files, mib);
        const r = nomia(store, ['add', join(dir, tree)]);
        assert.equal(r.code, 1, tree);
        assert.match(r.err, /^error\[store\/no-space\]: no space left on the device/, tree);
        assert.deepEqual(readdirSync(join(store, 'store')), []);
        assert.deepEqual(readdirSync(join(store, 'tmp')), [], 'the partial copy is removed');
        assertConsistent(store);
      }
      const small = join(dir, 'small');
      writeFileSync(small, 'fits');
      add(store, small);
      assertConsistent(store);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('crash safety and concurrency', () => {
  test('kill -9 at random moments during add: the store stays consistent and a re-add succeeds (24 kills)', async () => {
    const dir = tempDir('crash');
    const store = join(dir, 'store');
    const src = makeTree(join(dir, 'tree'), 20, 50, 24);
    // How long an add takes here, warm: the kills are spread over that window.
    let duration = 0;
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      // --rehash: every add reads and copies, as without the stat cache (which would answer the later ones at once).
      const probe = nomiaAsync(join(dir, 'probe'), ['add', '--rehash', src], { NOMIA_FSYNC: '0' });
      await new Promise((r) => probe.once('exit', r));
      duration = Date.now() - started;
    }
    let killedMidway = 0;
    let attempts = 0;
    while (killedMidway < 24 && attempts < 100) {
      attempts++;
      const child = nomiaAsync(store, ['add', '--rehash', src], { NOMIA_FSYNC: attempts % 3 === 0 ? '1' : '0' });
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * duration * 0.95)));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        killedMidway++;
      }
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
      assertConsistent(store);
    }
    assert.ok(killedMidway >= 20, `only ${killedMidway} of ${attempts} runs were killed mid-add`);
    const name = add(store, src);
    assert.equal(nomia(store, ['cat', `${name}/d3/f4`]).out, 'file 3/4\n'.repeat(5));
    assert.equal(nomia(store, ['gc']).code, 0);
    assert.deepEqual(readdirSync(join(store, 'tmp')), []);
    assert.deepEqual(readdirSync(join(store, 'trash')), []);
    assertConsistent(store);
  });

  test('8 processes adding the same tree at once make one object and no error', async () => {
    const dir = tempDir('parallel');
    const store = join(dir, 'store');
    const src = makeTree(join(dir, 'tree'), 10, 30, 4);
    const runs = await Promise.all(Array.from({ length: 8 }, () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = nomiaAsync(store, ['add', src], { NOMIA_FSYNC: '0' });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('exit', (code) => resolve({ code, out, err }));
    })));
    for (const r of runs) assert.equal(r.code, 0, r.err);
    assert.equal(new Set(runs.map((r) => r.out)).size, 1);
    if (process.env['CI'] === 'true' || spawnSync('sh', ['-c', 'command -v nix-hash']).status === 0) {
      // 300 files and a 4 MiB file: copied through the worker thread, and still Nix's hash.
      assert.equal(NAME.exec(runs[0]!.out.trim())![2], execFileSync('nix-hash', ['--type', 'sha256', src], { encoding: 'utf8' }).trim());
    }
    assert.equal(readdirSync(join(store, 'store')).length, 1);
    assertConsistent(store);
  });
});

describe('roots and gc', () => {
  test('absolute roots and references keep objects; unrooted ones go; --dry-run deletes nothing', () => {
    const dir = tempDir('gc');
    const store = join(dir, 'store');
    const files = ['a', 'b', 'c'].map((n) => { const p = join(dir, n); writeFileSync(p, n); return p; });
    const a = add(store, files[0]!);
    const b = add(store, files[1]!, '--reference', a);
    const c = add(store, files[2]!);
    assert.equal(nomia(store, ['root', 'add', 'keep-b', b]).code, 0);
    const dry = JSON.parse(nomia(store, ['gc', '--dry-run', '--json']).out);
    assert.equal(dry.dead.length, 1);
    assert.equal(readdirSync(join(store, 'store')).length, 3);
    const r = JSON.parse(nomia(store, ['gc', '--json']).out);
    assert.deepEqual(r.dead, dry.dead);
    assert.equal(nomia(store, ['cat', a]).out, 'a', 'kept through the reference from b');
    assert.equal(nomia(store, ['cat', c]).code, 1, 'c had no root');
    assert.equal(nomia(store, ['root', 'remove', 'keep-b']).code, 0);
    nomia(store, ['gc']);
    assert.deepEqual(readdirSync(join(store, 'store')), []);
    assert.match(nomia(store, ['root', 'remove', 'keep-b']).err, /no root named "keep-b"/);
  });

  test('a process root holds while its process runs; a lease until it expires', async () => {
    const dir = tempDir('cond');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'p'), 'p');
    writeFileSync(join(dir, 'l'), 'l');
    const p = add(store, join(dir, 'p'));
    const l = add(store, join(dir, 'l'));
    const sleeper = spawn('sleep', ['60']);
    assert.equal(nomia(store, ['root', 'add', 'while-sleeping', p, '--pid', String(sleeper.pid)]).code, 0);
    // The lease is long enough that the checks below run inside it even on a loaded machine (each CLI call
    // costs a process start); the checks of liveness are only meaningful while it lasts, so they say so.
    const leased = Date.now();
    assert.equal(nomia(store, ['root', 'add', 'lease', l, '--lease', '4s']).code, 0);
    nomia(store, ['gc']);
    const roots = JSON.parse(nomia(store, ['roots', '--json']).out) as { name: string; live: boolean }[];
    const withinLease = Date.now() - leased < 3500;
    assert.equal(nomia(store, ['cat', p]).out, 'p');
    if (withinLease) {
      assert.equal(nomia(store, ['cat', l]).out, 'l');
      assert.deepEqual(roots.filter((r) => !r.name.startsWith('(')).map((r) => [r.name, r.live]), [['lease', true], ['while-sleeping', true]]);
    }
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    await new Promise((r) => setTimeout(r, Math.max(0, leased + 4100 - Date.now())));
    const gc = JSON.parse(nomia(store, ['gc', '--json']).out);
    assert.deepEqual([...gc.expiredRoots].sort(), ['lease', 'while-sleeping']);
    assert.equal(gc.dead.length, 2);
    assert.match(nomia(store, ['root', 'add', 'x', p, '--pid', '999999']).err, /error/);
  });

  test('gc never deletes what a running process has just added (temporary roots), even while adds run', async () => {
    const dir = tempDir('temp');
    const store = join(dir, 'store');
    writeFileSync(join(dir, 'held'), 'held');
    // A process that adds through the library and then keeps running: its temporary root holds.
    const script = `
      const { openStore } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/store/store.js'))});
      const { addPath } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/store/add.js'))});
      const s = openStore({ dir: ${JSON.stringify(store)} });
      const r = await addPath(s, ${JSON.stringify(join(dir, 'held'))});
      console.log(r.object.path);
      setTimeout(() => {}, 60000);`;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const path = await new Promise<string>((r) => holder.stdout.once('data', (d) => r(String(d).trim())));
    const src = makeTree(join(dir, 'tree'), 5, 40);
    const adder = nomiaAsync(store, ['add', src], { NOMIA_FSYNC: '0' });
    for (let i = 0; i < 5; i++) nomia(store, ['gc']);
    await new Promise((r) => adder.once('exit', r));
    assert.equal(adder.exitCode, 0);
    assert.ok(existsSync(join(store, 'store', path)), 'held by the running process');
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    nomia(store, ['gc']);
    assert.ok(!existsSync(join(store, 'store', path)), 'gone once the process exited');
    assertConsistent(store);
  });
});

describe('verify', () => {
  test('finds corrupt, missing and badly-moded objects and leftovers; --repair fixes them', () => {
    const dir = tempDir('verify');
    const store = join(dir, 'store');
    const files = ['one', 'two', 'three'].map((n) => { const p = join(dir, n); writeFileSync(p, n); return p; });
    const names = files.map((f) => add(store, f));
    const paths = names.map((n) => nomia(store, ['path', n]).out.trim());
    chmodSync(paths[0]!, 0o644);
    writeFileSync(paths[0]!, 'tampered');
    rmSync(paths[1]!);
    chmodSync(paths[2]!, 0o644);
    mkdirSync(join(store, 'store', 'junk'));
    const r = nomia(store, ['verify', '--json']);
    assert.equal(r.code, 1);
    const kinds = (JSON.parse(r.out).issues as { kind: string }[]).map((i) => i.kind).sort();
    assert.deepEqual(kinds, ['corrupt', 'metadata', 'missing', 'unregistered']);
    assert.match(nomia(store, ['verify']).out, /ERROR corrupt .*-one: content hash is/);
    const repaired = nomia(store, ['verify', '--repair']);
    assert.equal(repaired.code, 0, repaired.out);
    assertConsistent(store);
    assert.equal(nomia(store, ['cat', names[2]!]).out, 'three');
    assert.equal(nomia(store, ['cat', names[0]!]).code, 1, 'the corrupt object was unregistered');
    assert.equal(readFileSync(files[0]!, 'utf8'), 'one');
    add(store, files[0]!);
    assertConsistent(store);
  });
});
