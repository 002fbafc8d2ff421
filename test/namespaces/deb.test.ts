/**
 * The deb namespace against the real Debian archive apt is configured with
 * (issue 16): latest → exact → by-content, a package run in the sandbox, a
 * compiler closure as a build's root with no network, tampered downloads,
 * and the archive unreachable. One store for the file: the packages are
 * downloaded once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import { arMembers } from '../../src/namespaces/deb/ar.js';
import { mergedTarget, unpackDeb } from '../../src/namespaces/deb/deb-file.js';
import { nomia, tempDir } from '../support/cli.js';
import { freePort } from '../support/nginx.js';
import { requireTool } from '../support/tools.js';

const dir = tempDir('deb');
const store = join(dir, 'store');

function tools(t: TestContext): boolean {
  return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap');
}

function realize(name: string, env: Record<string, string> = {}, cwd = dir, extra: string[] = []) {
  const r = nomia(store, ['realize', '--log-format', 'plain', ...extra, name], { env, cwd });
  const [refined = '', path = ''] = r.out.trim().split('\n');
  return { ...r, name: refined, path };
}

/** A proxy address nothing listens on: the archive is unreachable through it, and says so at once. */
const closedPort = async () => `http://127.0.0.1:${await freePort()}`;

const objects = () => readdirSync(join(store, 'store')).sort();

/** The .deb of `exact` (hello), downloaded once with the system's apt (the same archive). */
function helloDeb(exact: string): string {
  const pkg = join(dir, 'pkg');
  if (!existsSync(pkg)) {
    mkdirSync(pkg);
    execFileSync('apt-get', ['download', '-qq', `hello=${/version=([^&]+)/.exec(exact)![1]}`], { cwd: pkg, stdio: 'ignore' });
  }
  return join(pkg, readdirSync(pkg).find((f) => f.endsWith('.deb'))!);
}

describe('deb namespace', () => {
  let exact = '';

  test('deb:latest?package=hello is a tree with usr/bin/hello; reductions show latest → exact → by-content', (t) => {
    if (!tools(t)) return;
    const r = realize('deb:latest?package=hello');
    assert.equal(r.code, 0, r.err);
    assert.match(r.name, /^filesystem:by-content\?name=hello-[^&]+&sha256=[0-9a-f]{64}$/);
    assert.ok(existsSync(join(r.path, 'usr/bin/hello')));
    const red = nomia(store, ['reductions', 'deb:latest?package=hello']);
    assert.equal(red.code, 0, red.err);
    const chain = red.out.split('\n').filter((l) => l.startsWith('  => ')).map((l) => l.slice(5));
    assert.equal(chain.length, 2, red.out);
    assert.match(chain[0]!, /^deb:exact\?package=hello&version=[^&]+&arch=amd64&sha256=[0-9a-f]{64}$/);
    assert.equal(chain[1], r.name);
    exact = chain[0]!;
    // The version and hash are the index's (apt-cache reads the system's index: the same archive).
    const version = /version=([^&]+)/.exec(exact)![1]!;
    assert.match(execFileSync('apt-cache', ['show', `hello=${version}`]).toString(), new RegExp(`SHA256: ${/sha256=([0-9a-f]+)/.exec(exact)![1]}`));
  });

  test('hello runs in the sandbox with a closure as its root and prints "Hello, world!"', (t) => {
    if (!tools(t)) return;
    const r = realize('package:build-in-sandbox?args=["/bin/sh", -c, "hello > $out"](root: deb:closure?packages=[hello])');
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(r.path, 'utf8'), 'Hello, world!\n');
  });

  test('gcc from deb:closure?packages=[gcc, make, libc6-dev] compiles and runs a C program in the sandbox, with no network', (t) => {
    if (!tools(t)) return;
    writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("Hello from gcc"); return 0; }\n');
    const root = realize('deb:closure?packages=[gcc, make, libc6-dev]');
    assert.equal(root.code, 0, root.err);
    for (const link of ['bin', 'lib', 'lib64', 'sbin']) assert.equal(execFileSync('readlink', [join(root.path, link)]).toString().trim(), `usr/${link}`);
    const r = realize('package:build-in-sandbox?args=["/bin/sh", -c, "gcc -O2 -o /tmp/hello $src && /tmp/hello > $out && make --version | head -n 1 >> $out"](root: deb:closure?packages=[gcc, make, libc6-dev], src: filesystem:import?path="./hello.c")');
    assert.equal(r.code, 0, r.err);
    assert.match(readFileSync(r.path, 'utf8'), /^Hello from gcc\nGNU Make \d/);
    // The closure's lock: a sorted list of exact names merged into one root.
    const red = nomia(store, ['reductions', 'deb:closure?packages=[gcc, make, libc6-dev]']);
    const locked = red.out.split('\n').find((l) => l.startsWith('  => deb:root('))!.slice(5);
    const members = locked.slice('deb:root('.length, -1).split(', ');
    assert.ok(members.length > 50, locked);
    assert.deepEqual(members, [...members].sort());
    for (const m of members) assert.match(m, /^deb:exact\?package=[^&]+&version=[^&]+&arch=[a-z0-9]+&sha256=[0-9a-f]{64}$/);
    assert.ok(members.some((m) => m.startsWith('deb:exact?package=gcc-12&')));
    assert.ok(members.some((m) => m.startsWith('deb:exact?package=dash&')), 'the Essential set is in');
  });

  test('deb:source?package=hello is the upstream tree with debian/, and reduces to the exact name of its .dsc', (t) => {
    if (!tools(t)) return;
    const r = realize('deb:source?package=hello');
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(r.path, 'configure')) && existsSync(join(r.path, 'src/hello.c')) && existsSync(join(r.path, 'debian/control')));
    const red = nomia(store, ['reductions', 'deb:source?package=hello']);
    const chain = red.out.split('\n').filter((l) => l.startsWith('  => ')).map((l) => l.slice(5));
    assert.match(chain[0]!, /^deb:source\?package=hello&version=[^&]+&sha256=[0-9a-f]{64}$/);
    assert.equal(chain[1], r.name);
  });

  test('deb:source finds its .dsc when run where `apt-get source` already downloaded the files', (t) => {
    if (!tools(t)) return;
    // apt-get source --print-uris leaves out files already in its working directory: asked there, no .dsc.
    const here = join(dir, 'after-apt-get-source');
    mkdirSync(here, { recursive: true });
    execFileSync('apt-get', ['source', '--download-only', '-qq', 'jansson'], { cwd: here, stdio: 'ignore' });
    assert.ok(readdirSync(here).some((f) => f.endsWith('.dsc')), 'apt-get source downloaded the .dsc');
    const r = realize('deb:source?package=jansson', {}, here);
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(r.path, 'src/jansson.h')) && existsSync(join(r.path, 'debian/control')));
  });

  test('deb:source says so when apt has no deb-src entries', (t) => {
    if (!tools(t)) return;
    // The user's apt configuration with only the deb entries: debian.sources without its deb-src copy.
    const parts = join(dir, 'sources-deb-only');
    mkdirSync(parts, { recursive: true });
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (!f.endsWith('.sources') && !f.endsWith('.list')) continue;
      const text = readFileSync(join('/etc/apt/sources.list.d', f), 'utf8');
      if (!/deb-src/.test(text)) writeFileSync(join(parts, f), text);
    }
    const conf = join(dir, 'apt-deb-only.conf');
    writeFileSync(conf, `Dir::Etc::sourcelist "/dev/null";\nDir::Etc::sourceparts "${parts}";\n`);
    const r = realize('deb:source?package=zlib', { APT_CONFIG: conf });
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[deb\/no-sources\]: cannot find the source package zlib \(source\): apt is configured with no deb-src entries/);
  });

  test('GNU hello from its Debian source builds in the sandbox with the gcc closure as root: configure, make, make check', (t) => {
    if (!tools(t)) return;
    // cp -p: the store's files all have one mtime, so make sees the generated files as up to date.
    const r = realize('package:build-in-sandbox?args=["/bin/sh", -c, "cp -Rp $src /tmp/hello && cd /tmp/hello && chmod -R u+w . && ./configure --prefix=$out && make && make check && make install"]&name=hello(root: deb:closure?packages=[gcc, make, libc6-dev], src: deb:source?package=hello)');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /PASS: tests\/hello-1/);
    assert.match(r.err, /# FAIL: +0/);
    assert.ok(existsSync(join(r.path, 'bin/hello')));
  });

  test('realized twice in a row, a closure asks the archive once; again, it is answered from the memo', (t) => {
    if (!tools(t)) return;
    const r = realize('deb:closure?packages=[gcc, make, libc6-dev]');
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /updating the index|downloading/);
    // The index and apt's configuration unchanged since (index-context.ts): no engine, no apt, the same tree.
    const again = realize('deb:closure?packages=[gcc, make, libc6-dev]');
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /answered from the memo/);
    assert.equal(again.out, r.out);
  });

  test('realized again with the same index and configuration, a closure takes apt\'s kept answer; a changed index asks apt again', (t) => {
    if (!tools(t)) return;
    // An apt-get that fails if asked, ahead of the real one on PATH.
    const fake = join(dir, 'fake-apt');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'apt-get'), '#!/bin/sh\necho "E: apt-get was asked" >&2\nexit 100\n', { mode: 0o755 });
    const path = `${fake}:${process.env['PATH'] ?? ''}`;
    // Without the memo (which would answer before the namespace runs at all), as a name inside a larger one that changed.
    const kept = realize('deb:closure?packages=[gcc, make, libc6-dev]', { PATH: path }, dir, ['--no-memo']);
    assert.equal(kept.code, 0, kept.err);
    // The index on disk changes (as an apt-get update that fetched anything changes it): the kept answer no longer fits.
    const lists = join(store, 'cache', 'deb', 'lists');
    const file = readdirSync(lists).find((f) => f.endsWith('_Packages') || f.includes('Packages'))!;
    const now = new Date();
    utimesSync(join(lists, file), now, now);
    const asked = realize('deb:closure?packages=[gcc, make, libc6-dev]', { PATH: path });
    assert.equal(asked.code, 1);
    assert.match(asked.err, /apt-get was asked/);
    const resolved = realize('deb:closure?packages=[gcc, make, libc6-dev]');
    assert.equal(resolved.code, 0, resolved.err);
    assert.equal(resolved.out, kept.out, 'apt asked again gives the same closure');
  });

  test('with the archive unreachable, exact names in the store realize; contextual ones fail with deb/unreachable', async (t) => {
    if (!tools(t) || exact === '') return;
    const offline = { http_proxy: await closedPort(), NOMIA_DEB_TTL: '0' };
    const ex = realize(exact, offline);
    assert.equal(ex.code, 0, ex.err);
    const red = nomia(store, ['reductions', 'deb:closure?packages=[gcc, make, libc6-dev]']);
    const locked = red.out.split('\n').find((l) => l.startsWith('  => deb:root('))!.slice(5);
    const before = realize('deb:closure?packages=[gcc, make, libc6-dev]');
    const again = realize(locked, offline);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.path, before.path, 'the lock gives the same tree without the index');
    const latest = realize('deb:latest?package=hello', offline);
    assert.equal(latest.code, 1);
    assert.match(latest.err, /error\[deb\/unreachable\]: cannot read the index of the Debian archive apt is configured with/);
    assert.match(latest.err, /Could not connect to 127\.0\.0\.1|Unable to connect to 127\.0\.0\.1/);
  });

  test('a wrong sha256 in an exact name is refused and stores nothing', (t) => {
    if (!tools(t) || exact === '') return;
    const before = objects();
    const wrong = exact.replace(/sha256=[0-9a-f]{64}/, `sha256=${'0'.repeat(64)}`);
    const r = realize(wrong);
    assert.equal(r.code, 1);
    assert.match(r.err, /error\[deb\/hash-mismatch\]/);
    assert.match(r.err, /nothing was downloaded or stored/);
    assert.deepEqual(objects(), before);
  });

  test('a tampered or truncated download waiting in the staging area (of an exited process) is refused and stores nothing', (t) => {
    if (!tools(t) || exact === '') return;
    const sha = /sha256=([0-9a-f]{64})/.exec(exact)![1]!;
    const deb = helloDeb(exact);
    // A fresh store for this test: in the shared one the exact name is a lookup and never reads the staging area.
    const fresh = join(dir, 'tamper-store');
    for (const [how, damage] of [['truncated', (f: string) => truncateSync(f, 1000)], ['tampered', (f: string) => {
      const bytes = readFileSync(f);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100);
      writeFileSync(f, bytes);
    }]] as const) {
      // Left by a process that has exited (no pid is this high): the realize takes it over.
      const dest = join(fresh, 'cache', 'deb', 'staged', '999999999-1');
      mkdirSync(dest, { recursive: true });
      copyFileSync(deb, join(dest, `${sha}.deb`));
      damage(join(dest, `${sha}.deb`));
      const r = nomia(fresh, ['realize', '--log-format', 'plain', exact]);
      assert.equal(r.code, 1, `${how}: ${r.err}`);
      assert.match(r.err, /error\[deb\/hash-mismatch\].*nothing was stored/, how);
      assert.deepEqual(existsSync(join(fresh, 'store')) ? readdirSync(join(fresh, 'store')) : [], [], `${how}: nothing stored`);
      const left = readdirSync(join(fresh, 'cache', 'deb', 'staged')).filter((d) => existsSync(join(fresh, 'cache', 'deb', 'staged', d, `${sha}.deb`)));
      assert.deepEqual(left, [], `${how}: the damaged file is not kept for the next realize`);
    }
  });

  test('unpackDeb checks the hash first, and a cut ar archive is deb/format', async (t) => {
    if (!tools(t) || exact === '') return;
    const deb = helloDeb(exact);
    const cut = join(dir, 'cut.deb');
    copyFileSync(deb, cut);
    // Inside the control member (debian-binary and its header end at byte 132).
    truncateSync(cut, 200);
    const sha = execFileSync('sha256sum', [cut]).toString().split(' ')[0]!;
    const work = tempDir('deb-work');
    await assert.rejects(unpackDeb(cut, sha, join(work, 'out'), { label: 'cut' }), (e: NomiaError) => e.code === 'deb/format' && /cut short/.test(e.message));
    await assert.rejects(unpackDeb(deb, '0'.repeat(64), join(work, 'out2'), { label: 'wrong' }), (e: NomiaError) => e.code === 'deb/hash-mismatch');
    assert.ok(!existsSync(join(work, 'out2')), 'nothing unpacked before the hash is checked');
    assert.deepEqual(arMembers(deb, 'hello').map((m) => m.name).slice(0, 2), ['debian-binary', 'control.tar.xz']);
  });
});

describe('merged-/usr link targets', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    // entry, target as shipped, target in the merged tree
    ['./usr/lib/x86_64-linux-gnu/libm.so', '/lib/x86_64-linux-gnu/libm.so.6', 'libm.so.6'],
    ['./usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so', '/usr/libexec/gcc/x86_64-linux-gnu/12/liblto_plugin.so', '../../../../libexec/gcc/x86_64-linux-gnu/12/liblto_plugin.so'],
    ['./lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
    ['./bin/sh', 'dash', 'dash'],
    ['./bin/x', '../usr/bin/y', 'y'],
    ['./usr/bin/gcc', 'gcc-12', 'gcc-12'],
    ['./usr/share/doc/a', '/usr/share/doc/b', 'b'],
    ['./usr/bin/z', '../../bin/w', '../../bin/w'],
  ];
  for (const [entry, target, want] of cases) {
    test(`${entry} -> ${target}`, () => assert.equal(mergedTarget(entry, target), want));
  }
});
