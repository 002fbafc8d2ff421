/**
 * `deb:host` (issue 17's default toolchain): the host's installed packages
 * made exact. The status file's reading and the closure on a written
 * database; then, on this machine's real dpkg database and the real
 * archive, the default toolchain of `nomia ninja` is the host's compiler
 * (the same `gcc --version`), and `--toolchain`, NOMIA_TOOLCHAIN and
 * nomia.json pick another.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { hostClosure, InstalledSet, parseDepends, readStatus } from '../../src/namespaces/deb/dpkg-status.js';
import { linkChain } from '../../src/namespaces/deb/host.js';
import { defaultToolchain, namedTools } from '../../src/front-end/toolchain.js';
import { parseManifest } from '../../src/namespaces/ninja/manifest.js';
import { nomia, tempDir } from '../support/cli.js';
import { nextSecond } from '../support/clock.js';
import { requireTool } from '../support/tools.js';

const STATUS = `Package: gcc
Status: install ok installed
Architecture: amd64
Version: 4:12.2.0-3
Depends: cpp (= 4:12.2.0-3), gcc-12 (>= 12.2.0-1~)

Package: gcc-12
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14
Depends: libc6 (>= 2.34), awk-impl | no-such-awk, python3:any, libfoo
Description: the GNU C compiler
 a continuation line: Depends: not-a-dependency

Package: cpp
Status: install ok installed
Architecture: amd64
Version: 4:12.2.0-3

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Version: 2.36-9

Package: mawk
Status: install ok installed
Architecture: amd64
Version: 1.3.4
Provides: awk-impl

Package: python3
Status: install ok installed
Architecture: i386
Multi-Arch: allowed
Version: 3.11.2-1

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1

Package: dash
Status: install ok installed
Architecture: amd64
Essential: yes
Pre-Depends: libc6 (>= 2.34)
Version: 0.5.12
`;

describe('deb:host: the dpkg database', () => {
  test('only installed packages count; fields, continuations, Pre-Depends and Provides are read', () => {
    const all = readStatus(STATUS);
    assert.deepEqual(all.map((p) => `${p.package}:${p.arch}=${p.version}`), ['gcc:amd64=4:12.2.0-3', 'gcc-12:amd64=12.2.0-14', 'cpp:amd64=4:12.2.0-3', 'libc6:amd64=2.36-9', 'libc6:i386=2.36-9', 'mawk:amd64=1.3.4', 'python3:i386=3.11.2-1', 'dash:amd64=0.5.12']);
    assert.deepEqual(all.find((p) => p.package === 'dash')!.depends, [[{ name: 'libc6' }]]);
    assert.deepEqual(all.find((p) => p.package === 'mawk')!.provides, ['awk-impl']);
    assert.deepEqual(parseDepends('a (>= 1) | b:any, c:i386'), [[{ name: 'a' }, { name: 'b', arch: 'any' }], [{ name: 'c', arch: 'i386' }]]);
  });

  test('the closure follows the first satisfied alternative, virtual packages, :any and Multi-Arch, and the Essential set', () => {
    const set = new InstalledSet(readStatus(STATUS));
    const roots = [set.find('gcc', 'amd64')!];
    const without = hostClosure(set, roots, false);
    // libc6 of the compiler's own architecture, not i386's; python3:any takes the i386 one; awk-impl is mawk.
    assert.deepEqual(without.packages.map((p) => `${p.package}:${p.arch}`), ['cpp:amd64', 'gcc-12:amd64', 'gcc:amd64', 'libc6:amd64', 'mawk:amd64', 'python3:i386']);
    assert.deepEqual([...without.roots], ['gcc:amd64']);
    assert.deepEqual(without.unsatisfied, ['gcc-12: libfoo']);
    const withEssential = hostClosure(set, roots, true);
    assert.ok(withEssential.packages.some((p) => p.package === 'dash'));
    assert.deepEqual([...withEssential.roots], ['gcc:amd64']);
  });

  test('a path is followed through every symlink, with its merged-/usr twin', (t) => {
    const dir = tempDir('deb-host-links');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'usr/bin'), { recursive: true });
    writeFileSync(join(dir, 'usr/bin/gcc-12'), '');
    symlinkSync('gcc-12', join(dir, 'usr/bin/gcc'));
    symlinkSync(join(dir, 'usr/bin/gcc'), join(dir, 'cc'));
    assert.deepEqual(linkChain(join(dir, 'cc')), [join(dir, 'cc'), join(dir, 'usr/bin/gcc'), join(dir, 'usr/bin/gcc-12')]);
    if (requireTool(t, 'gcc', 'gcc')) assert.ok(linkChain('/usr/bin/gcc').includes('/bin/gcc'));
  });

  test('the default toolchain names the programs the build file runs, cc and c++ as gcc and g++', () => {
    const text = 'rule cc\n  command = /usr/bin/cc -c $in -o $out\nrule cxx\n  command = /usr/bin/c++ $in\nrule link\n  command = cd /x && /usr/bin/cmake -E echo && /usr/bin/ar qc $out $in\nbuild a.o: cc a.c\nbuild b: cxx b.cc\nbuild l.a: link a.o\n';
    const manifest = parseManifest(text, 'build.ninja', () => '');
    assert.deepEqual(namedTools(manifest), ['/usr/bin/ar', '/usr/bin/cmake', '/usr/bin/g++', '/usr/bin/gcc']);
    assert.equal(defaultToolchain(manifest), 'deb:host?paths=[/usr/bin/ar, /usr/bin/cmake, /usr/bin/g++, /usr/bin/gcc]&packages=[libc6-dev]');
    assert.deepEqual(namedTools(parseManifest('rule t\n  command = touch $out\nbuild x: t\n', 'build.ninja', () => '')), ['/usr/bin/gcc']);
  });
});

describe('deb:host on this machine', () => {
  const dir = tempDir('deb-host');
  const store = join(dir, 'store');
  // The store holds a whole toolchain (some 400 MB): not left behind.
  after(() => rmSync(dir, { recursive: true, force: true }));
  const build = join(dir, 'build');
  mkdirSync(build);
  // One edge that runs the compiler the build file names (CMake writes /usr/bin/cc), in the sandbox.
  writeFileSync(join(build, 'build.ninja'), 'rule v\n  command = /usr/bin/cc --version > $out\nbuild version.txt: v\n');

  function tools(t: TestContext): boolean {
    return requireTool(t, 'apt-get', 'apt') && requireTool(t, 'bwrap', 'bubblewrap') && requireTool(t, 'dpkg-query', 'dpkg') && requireTool(t, 'gcc', 'gcc');
  }

  const ninja = (args: string[] = [], env: Record<string, string> = {}, cwd = dir) => nomia(store, ['ninja', '-C', build, '--log-format', 'plain', ...args], { env, cwd });
  const version = () => readFileSync(join(build, 'version.txt'), 'utf8');

  test('nomia ninja\'s default toolchain is the host\'s compiler: the same gcc --version, from exact package names', (t) => {
    if (!tools(t)) return;
    const r = ninja();
    assert.equal(r.code, 0, r.err);
    assert.equal(version(), execFileSync('gcc', ['--version'], { encoding: 'utf8' }));
    // The toolchain reduces to exact package names at the installed versions.
    const host = 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]';
    const red = nomia(store, ['reductions', host]);
    assert.equal(red.code, 0, red.err);
    const gcc12 = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'gcc-12'], { encoding: 'utf8' });
    assert.match(red.out, new RegExp(`deb:exact\\?package=gcc-12&version=${gcc12.replace(/[.+~]/g, '\\$&')}&arch=amd64&sha256=[0-9a-f]{64}`));
    assert.match(red.out, /deb:exact\?package=libc6-dev&/);
  });

  test('realized again with the host unchanged, deb:host is answered from the memo, or without it from its kept answer', (t) => {
    if (!tools(t)) return;
    const host = 'deb:host?paths=[/usr/bin/gcc]&packages=[libc6-dev]';
    const first = nomia(store, ['realize', '--log-format', 'plain', host], { cwd: dir });
    assert.equal(first.code, 0, first.err);
    const again = nomia(store, ['realize', '--log-format', 'plain', host], { cwd: dir });
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /answered from the memo/);
    assert.equal(again.out, first.out);
    // Without the memo (as a build through nomia ninja realizes it), the kept answer spares dpkg and apt.
    const walked = nomia(store, ['realize', '--no-memo', '--log-format', 'plain', host], { cwd: dir });
    assert.equal(walked.code, 0, walked.err);
    assert.match(walked.err, /as before \(kept answer\)/);
    assert.equal(walked.out, first.out);
  });

  // front-end/toolchain-memo.ts: CMake's configure runs one nomia ninja per check, each in a new directory.
  test('nomia ninja run in another build directory takes the exact toolchain from the memo; a changed package database resolves it again', (t) => {
    if (!tools(t)) return;
    // A package database of its own (the host's, its status file a copy), so that changing it touches nothing else.
    const admin = join(dir, 'dpkg-admin');
    mkdirSync(admin);
    for (const entry of readdirSync('/var/lib/dpkg')) {
      if (entry === 'status') copyFileSync('/var/lib/dpkg/status', join(admin, entry));
      else symlinkSync(join('/var/lib/dpkg', entry), join(admin, entry));
    }
    // A status file written in the second the first build stats it is racy (store/stat-cache.ts): that
    // build's memo would never answer. Past that second, as a real database is.
    nextSecond();
    const env = { DPKG_ADMINDIR: admin };
    const built = (at: string) => {
      mkdirSync(at);
      copyFileSync(join(build, 'build.ninja'), join(at, 'build.ninja'));
      // Run in the build directory, as CMake runs its make program for a check.
      const r = nomia(store, ['ninja', '--log-format', 'json'], { env, cwd: at });
      assert.equal(r.code, 0, r.err.slice(-2000));
      assert.equal(readFileSync(join(at, 'version.txt'), 'utf8'), execFileSync('gcc', ['--version'], { encoding: 'utf8' }));
      const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string; name?: string });
      assert.equal(events.filter((e) => e.kind === 'done').length, 1, 'one done event');
      return { host: events.some((e) => e.kind === 'realizing' && e.label?.startsWith('deb:host?')), plan: events.find((e) => e.kind === 'resolving')?.name ?? '' };
    };
    const first = built(join(dir, 'build-a'));
    assert.equal(first.host, true, 'the first build with this database resolves the toolchain');
    const second = built(join(dir, 'build-b'));
    assert.equal(second.host, false, 'the second takes it from the memo');
    assert.match(second.plan, /^compose\n {2}tc = filesystem:by-content\?name=deb-root&sha256=[0-9a-f]{64};/);
    // A package installed or upgraded rewrites the status file: the toolchain is resolved again.
    utimesSync(join(admin, 'status'), new Date(), new Date(Date.now() + 5_000));
    assert.equal(built(join(dir, 'build-c')).host, true, 'a changed database is seen');
  });

  // Issue 17: nomia compile-commands resolved the default toolchain on every run; it takes it as nomia ninja does.
  test('nomia compile-commands takes the default toolchain from the memo too: a second run, in another directory, resolves nothing', (t) => {
    if (!tools(t)) return;
    const src = join(dir, 'cc-src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.c'), 'int a(void) { return 42; }\n');
    const run = (at: string) => {
      mkdirSync(at);
      writeFileSync(join(at, 'compile_commands.json'), JSON.stringify([{ directory: at, command: `/usr/bin/cc -O2 -o a.o -c ${join(src, 'a.c')}`, file: join(src, 'a.c') }]));
      const r = nomia(store, ['compile-commands', '--log-format', 'json'], { cwd: at });
      assert.equal(r.code, 0, r.err.slice(-2000));
      assert.ok(existsSync(join(at, 'a.o')), 'the object is written');
      const events = r.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string; name?: string });
      return { host: events.filter((e) => e.kind === 'realizing' && e.label?.startsWith('deb:host?')).length, plan: events.find((e) => e.kind === 'resolving')?.name ?? '' };
    };
    // The first may find the memo nomia ninja kept above (the same name and configuration): one key for both.
    assert.ok(run(join(dir, 'cc-build-a')).host <= 1);
    const second = run(join(dir, 'cc-build-b'));
    assert.equal(second.host, 0, 'no deb:host realized: the exact toolchain comes from the memo');
    assert.match(second.plan, /^compose\n {2}tc = filesystem:by-content\?name=deb-root&sha256=[0-9a-f]{64};/);
  });

  test('--toolchain, NOMIA_TOOLCHAIN and nomia.json pick another toolchain, in that order', (t) => {
    if (!tools(t) || !requireTool(t, 'busybox', 'busybox-static')) return;
    // A toolchain whose gcc says who it is.
    const fake = (label: string) => {
      const root = join(dir, label);
      const name = `filesystem:import?path=${JSON.stringify(root)}`;
      if (existsSync(root)) return name;
      mkdirSync(join(root, 'usr/bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(root, 'usr/bin/busybox'));
      symlinkSync('busybox', join(root, 'usr/bin/sh'));
      symlinkSync('usr/bin', join(root, 'bin'));
      writeFileSync(join(root, 'usr/bin/gcc'), `#!/bin/sh\necho ${label}\n`);
      chmodSync(join(root, 'usr/bin/gcc'), 0o755);
      return name;
    };
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ toolchain: fake('from-nomia-json') }));
    let r = ninja();
    assert.equal(r.code, 0, r.err);
    assert.equal(version(), 'from-nomia-json\n');
    r = ninja([], { NOMIA_TOOLCHAIN: fake('from-env') });
    assert.equal(r.code, 0, r.err);
    assert.equal(version(), 'from-env\n');
    r = ninja(['--toolchain', fake('from-flag')], { NOMIA_TOOLCHAIN: fake('from-env') });
    assert.equal(r.code, 0, r.err);
    assert.equal(version(), 'from-flag\n');
    writeFileSync(join(dir, 'nomia.json'), JSON.stringify({ toolchain: 7 }));
    r = ninja();
    assert.notEqual(r.code, 0);
    assert.match(r.err, /"toolchain" must be a name/);
    rmSync(join(dir, 'nomia.json'));
  });

  // Issue 17: the hint said neither which versions the index has nor what to run.
  test('an installed version the index no longer lists is deb/not-found naming it, the index\'s versions, and the commands that go on', (t) => {
    if (!tools(t)) return;
    // A package database of its own whose libc6-dev is a version no archive has.
    const admin = join(dir, 'dpkg-admin-old');
    mkdirSync(admin);
    for (const entry of readdirSync('/var/lib/dpkg')) {
      if (entry === 'status') {
        const blocks = readFileSync('/var/lib/dpkg/status', 'utf8').split('\n\n');
        writeFileSync(join(admin, entry), blocks.map((b) => (b.startsWith('Package: libc6-dev\n') ? b.replace(/^Version: .*$/m, 'Version: 2.36-0nomia1') : b)).join('\n\n'));
      } else symlinkSync(join('/var/lib/dpkg', entry), join(admin, entry));
    }
    const r = nomia(store, ['realize', 'deb:host?packages=[libc6-dev]'], { cwd: dir, env: { DPKG_ADMINDIR: admin } });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /error\[deb\/not-found\]: the archive's index does not list libc6-dev 2\.36-0nomia1 \(amd64\), the version installed here \(it lists \d[^)]*\)/);
    assert.match(r.err, /hint: .*apt-get update && apt-get install --only-upgrade libc6-dev;/);
    assert.match(r.err, /nomia ninja --toolchain 'deb:closure\?packages=\[libc6-dev\]'/);
  });

  test('a path no package owns, and a package not installed, are deb/not-installed with a hint to pick a toolchain', (t) => {
    if (!tools(t)) return;
    const loose = join(dir, 'loose-tool');
    writeFileSync(loose, '');
    for (const name of [`deb:host?paths=[${JSON.stringify(loose)}]`, 'deb:host?packages=[no-such-package-here]', 'deb:host?paths=[/no/such/file]']) {
      const r = nomia(store, ['realize', name], { cwd: dir });
      assert.notEqual(r.code, 0, name);
      assert.match(r.err, /error\[deb\/not-installed\]/, name);
      assert.match(r.err, /--toolchain/, name);
    }
  });
});
