/**
 * The unpack namespace: every compression against GNU tar's extraction of
 * the same archive (NAR hashes compared), zip against Info-ZIP's unzip,
 * strip against --strip-components, and one crafted archive per refusal
 * (python3 writes the entries no honest tool would).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync, chmodSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NomiaError } from '../../src/errors.js';
import type { GraphParam } from '../../src/graph/types.js';
import type { AtomRequest, RealizeContext, Resource } from '../../src/namespace/types.js';
import { unpackNamespace } from '../../src/namespaces/unpack/index.js';
import { hashPath } from '../../src/store/nar.js';
import { openStore } from '../../src/store/store.js';
import { rejects } from '../support/rejects.js';
import { craftTar, craftZip } from '../support/archives.js';
import { nomia, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const root = tempDir('unpack');
const store = openStore({ dir: join(root, 'store') });
after(() => store.close());

const str = (key: string, value: string): GraphParam => ({ key, value: { kind: 'String', value } });
const req = (nameId: string, params: GraphParam[] = []): AtomRequest => ({ namespace: { id: 'unpack', params: [] }, nameId, params });

function ctx(signal = new AbortController().signal): RealizeContext {
  return {
    store, signal,
    context: { env: {}, cwd: root, now: 0, stdin: () => process.stdin },
    log: () => undefined, emitReduction: () => undefined, events: { emit: () => undefined },
  };
}

function input(path: string): Record<string, Resource> {
  return { '0': { kind: 'object', type: 'file', name: `test-input:${path}`, path } };
}

async function unpack(nameId: 'tar' | 'zip', archive: string, params: GraphParam[] = [], signal?: AbortSignal): Promise<Resource & { kind: 'object' }> {
  const out = (await unpackNamespace.realize(req(nameId, params), input(archive), ctx(signal)))['out']!;
  assert.equal(out.kind, 'object');
  return out as Resource & { kind: 'object' };
}

const shaOf = (r: Resource) => /sha256=([0-9a-f]{64})$/.exec(r.name)![1]!;
const objectCount = () => store.db.objects().length;

function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { ...(cwd ? { cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
}

/** A fresh directory under the test's root. */
let n = 0;
function fresh(prefix: string): string {
  const d = join(root, `${prefix}-${n++}`);
  mkdirSync(d);
  return d;
}

/** A tree with every kind of entry a tar carries: text, executable, empty dir, symlinks (inside, dangling), a hard link, a long name, a non-ASCII name, a file of several MiB. */
function sampleTree(dir: string): string {
  const pkg = join(dir, 'pkg');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(pkg, 'lib'));
  mkdirSync(join(pkg, 'empty'));
  writeFileSync(join(pkg, 'README'), 'hello\n');
  writeFileSync(join(pkg, 'bin', 'run.sh'), '#!/bin/sh\necho run\n');
  chmodSync(join(pkg, 'bin', 'run.sh'), 0o755);
  writeFileSync(join(pkg, 'lib', 'a.txt'), 'a\n');
  symlinkSync('a.txt', join(pkg, 'lib', 'link-to-a'));
  symlinkSync('../bin', join(pkg, 'lib', 'bin-dir'));
  symlinkSync('nowhere', join(pkg, 'dangling'));
  linkSync(join(pkg, 'README'), join(pkg, 'hard'));
  const long = join(pkg, 'd'.repeat(60), 'e'.repeat(60));
  mkdirSync(long, { recursive: true });
  writeFileSync(join(long, `${'f'.repeat(90)}.txt`), 'long\n');
  writeFileSync(join(pkg, 'ünïcödé.txt'), 'ü\n');
  const big = Buffer.alloc(3 << 20);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(pkg, 'big.bin'), big);
  return dir;
}

/** GNU tar's extraction of `archive` (with extra flags), as a NAR hash. */
async function gnuTarHash(archive: string, flags: string[] = []): Promise<string> {
  const out = fresh('gnu');
  run('tar', ['-xf', archive, '-C', out, ...flags]);
  return (await hashPath(out)).hash;
}

/** An unsafe archive must be refused, store nothing, and write nothing outside. */
async function refused(nameId: 'tar' | 'zip', archive: string, message: RegExp, outside: string[] = []): Promise<NomiaError> {
  const before = objectCount();
  const e = await rejects(unpack(nameId, archive), 'unpack/unsafe-entry', message);
  assert.equal(objectCount(), before, 'nothing stored');
  assert.deepEqual(readdirSync(join(root, 'store', 'tmp')), [], 'the work directory is gone');
  for (const p of outside) assert.equal(existsSync(p), false, `${p} must not exist`);
  return e;
}

describe('unpack:tar against GNU tar', () => {
  const src = sampleTree(fresh('sample'));
  const compressions: [string, string[], string][] = [
    ['plain', [], 'pkg.tar'],
    ['gzip', ['-z'], 'pkg.tar.gz'],
    ['bzip2', ['-j'], 'pkg.tar.bz2'],
    ['xz', ['-J'], 'pkg.tar.xz'],
    ['zstd', ['--zstd'], 'pkg.tar.zst'],
  ];
  for (const [label, flag, file] of compressions) {
    test(`${label}: the same tree as GNU tar extracts (NAR hashes equal)`, async (t) => {
      if (!requireTool(t, 'tar', 'tar')) return;
      if (label !== 'plain' && !requireTool(t, label, label === 'zstd' ? 'zstd' : label === 'xz' ? 'xz-utils' : label)) return;
      const archive = join(fresh(label), file);
      run('tar', ['-c', ...flag, '-f', archive, '-C', src, 'pkg']);
      const ours = await unpack('tar', archive);
      assert.equal(shaOf(ours), await gnuTarHash(archive));
      assert.match(ours.name, /^filesystem:by-content\?name=pkg&sha256=/, 'named for the archive without its extension');
      assert.equal(ours.type, 'dir');
      const pkg = join(ours.path, 'pkg');
      assert.equal(statSync(join(pkg, 'bin', 'run.sh')).mode & 0o111, 0o111, 'executable bit kept');
      assert.equal(statSync(join(pkg, 'README')).mode & 0o111, 0, 'not executable');
      assert.equal(readlinkSync(join(pkg, 'lib', 'link-to-a')), 'a.txt');
      assert.equal(readlinkSync(join(pkg, 'dangling')), 'nowhere', 'a dangling link inside the tree is kept');
      assert.equal(readFileSync(join(pkg, 'hard'), 'utf8'), 'hello\n');
      assert.equal(statSync(join(pkg, 'big.bin')).size, 3 << 20);
    });
  }

  test('pax (posix) format with long and non-ASCII names', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const archive = join(fresh('pax'), 'pkg.tar.gz');
    run('tar', ['--format=posix', '-czf', archive, '-C', src, 'pkg']);
    assert.equal(shaOf(await unpack('tar', archive)), await gnuTarHash(archive));
  });

  test('strip=1 and strip=2 drop components as --strip-components does, `./` and hard-link targets included', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const archive = join(fresh('strip'), 'dot.tar');
    run('tar', ['-cf', archive, '-C', src, './pkg']);
    for (const s of [1, 2]) {
      const ours = await unpack('tar', archive, [str('strip', String(s))]);
      assert.equal(shaOf(ours), await gnuTarHash(archive, [`--strip-components=${s}`]), `strip=${s}`);
    }
    const stripped = await unpack('tar', archive, [str('strip', '2')]);
    assert.deepEqual(readdirSync(stripped.path).sort(), ['README', 'big.bin', 'bin', 'd'.repeat(60), 'dangling', 'empty', 'hard', 'lib', 'ünïcödé.txt'].sort());
  });

  test('a later entry of the same name replaces the earlier one, as GNU tar does', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const archive = craftTar(join(fresh('dup'), 'dup.tar'), [
      { name: 'a', data: 'one\n' },
      { name: 'a', data: 'two\n', mode: 0o755 },
      { name: 'b', type: 'symlink', link: 'a' },
      { name: 'b', data: 'b is a file now\n' },
      { name: 'c', data: 'c\n' },
      { name: 'c', type: 'symlink', link: 'a' },
    ]);
    const ours = await unpack('tar', archive);
    assert.equal(shaOf(ours), await gnuTarHash(archive));
    assert.equal(readFileSync(join(ours.path, 'a'), 'utf8'), 'two\n');
    assert.equal(readFileSync(join(ours.path, 'b'), 'utf8'), 'b is a file now\n');
    assert.equal(readlinkSync(join(ours.path, 'c')), 'a');
  });

  test('an empty tar is an empty directory; name= names the result', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const archive = join(fresh('empty'), 'nothing.tgz');
    run('tar', ['-czf', archive, '-T', '/dev/null']);
    const ours = await unpack('tar', archive, [str('name', 'my-tree')]);
    assert.match(ours.name, /^filesystem:by-content\?name=my-tree&sha256=/);
    assert.deepEqual(readdirSync(ours.path), []);
    assert.match((await unpack('tar', archive)).name, /name=nothing&/, '.tgz is an archive extension too');
  });
});

describe('unpack:zip against unzip', () => {
  test('files, executables, symlinks, empty directories: the tree unzip makes', async (t) => {
    if (!requireTool(t, 'zip', 'zip') || !requireTool(t, 'unzip', 'unzip')) return;
    const src = sampleTree(fresh('zipsrc'));
    const archive = join(fresh('zip'), 'pkg.zip');
    run('zip', ['-qry', archive, 'pkg'], src);
    const ours = await unpack('zip', archive);
    const ref = fresh('unzip');
    run('unzip', ['-q', archive, '-d', ref]);
    assert.equal(shaOf(ours), (await hashPath(ref)).hash);
    assert.match(ours.name, /^filesystem:by-content\?name=pkg&sha256=/);
    assert.equal(lstatSync(join(ours.path, 'pkg', 'lib', 'link-to-a')).isSymbolicLink(), true);
    assert.equal(statSync(join(ours.path, 'pkg', 'bin', 'run.sh')).mode & 0o111, 0o111);
    const stripped = await unpack('zip', archive, [str('strip', '1')]);
    assert.equal(shaOf(stripped), (await hashPath(join(ref, 'pkg'))).hash, 'strip=1 drops the top directory');
  });

  test('a zip whose data fails its CRC-32 is a format error', async (t) => {
    if (!requireTool(t, 'zip', 'zip')) return;
    const dir = fresh('crc');
    writeFileSync(join(dir, 'data.txt'), 'the quick brown fox jumps over the lazy dog\n');
    const archive = join(dir, 'crc.zip');
    run('zip', ['-q0', archive, 'data.txt'], dir);
    const bytes = readFileSync(archive);
    const at = bytes.indexOf('quick brown');
    bytes[at] = 'Q'.charCodeAt(0);
    writeFileSync(archive, bytes);
    await rejects(unpack('zip', archive), 'unpack/format', /data\.txt" fails its CRC-32 check/);
  });
});

describe('refusals: each unsafe entry in a crafted archive', () => {
  const outside = join(root, 'outside');
  mkdirSync(outside);

  test('tar: a `..` component', async () => {
    await refused('tar', craftTar(join(fresh('t'), 'dotdot.tar'), [{ name: 'ok', data: 'x' }, { name: '../evil', data: 'x' }]), /refused the entry "\.\.\/evil": its name has a `\.\.` component/);
    await refused('tar', craftTar(join(fresh('t'), 'middle.tar'), [{ name: 'a/../../evil', data: 'x' }]), /"a\/\.\.\/\.\.\/evil": its name has a `\.\.` component/);
  });

  test('tar: an absolute path', async () => {
    const target = join(outside, 'absolute-evil');
    await refused('tar', craftTar(join(fresh('t'), 'abs.tar'), [{ name: target, data: 'x' }]), /it is an absolute path/, [target]);
  });

  test('tar: symlinks whose target resolves outside', async () => {
    await refused('tar', craftTar(join(fresh('t'), 'up.tar'), [{ name: 'link', type: 'symlink', link: '../outside' }]), /"link": it is a symlink to "\.\.\/outside", which resolves outside the output/);
    await refused('tar', craftTar(join(fresh('t'), 'deep.tar'), [{ name: 'a/b/link', type: 'symlink', link: '../../../x' }]), /resolves outside the output/);
    await refused('tar', craftTar(join(fresh('t'), 'abs-link.tar'), [{ name: 'link', type: 'symlink', link: outside }]), /it is a symlink to ".*outside", which is an absolute path/);
    // Through another link: `up` is `..` of the root, so `up/x` leaves it although it looks like a plain name.
    await refused('tar', craftTar(join(fresh('t'), 'via.tar'), [{ name: 'sub/up', type: 'symlink', link: '..' }, { name: 'esc', type: 'symlink', link: 'sub/up/..' }]), /"esc": it is a symlink to "sub\/up\/\.\.", which resolves outside/);
  });

  test('tar: a later entry that writes through an earlier symlink', async () => {
    const e = await refused('tar', craftTar(join(fresh('t'), 'through.tar'), [
      { name: 'd', type: 'symlink', link: 'real' },
      { name: 'real', type: 'dir' },
      { name: 'd/file', data: 'x' },
    ]), /"d\/file": it would be written through the symlink "d"/);
    assert.match(e.hint ?? '', /malicious/);
  });

  test('tar: a symlink made to escape by a later entry is caught when the archive is done', async () => {
    await refused('tar', craftTar(join(fresh('t'), 'late.tar'), [
      { name: 'a', type: 'symlink', link: 's/..' },
      { name: 's', type: 'symlink', link: '.' },
    ]), /"a": it is a symlink to "s\/\.\.", which resolves outside the output once the whole archive is unpacked/);
  });

  test('tar: hard links to outside, to absolute paths, and to what is not yet extracted', async () => {
    writeFileSync(join(outside, 'secret'), 'secret\n');
    await refused('tar', craftTar(join(fresh('t'), 'hl-up.tar'), [{ name: 'h', type: 'hardlink', link: '../outside/secret' }]), /"h": it is a hard link to "\.\.\/outside\/secret", which has a `\.\.` component/);
    await refused('tar', craftTar(join(fresh('t'), 'hl-abs.tar'), [{ name: 'h', type: 'hardlink', link: join(outside, 'secret') }]), /"h": it is a hard link to the absolute path/);
    await refused('tar', craftTar(join(fresh('t'), 'hl-later.tar'), [{ name: 'h', type: 'hardlink', link: 'later' }, { name: 'later', data: 'x' }]), /"h": it is a hard link to "later", which is not a file extracted before it/);
    await refused('tar', craftTar(join(fresh('t'), 'hl-link.tar'), [{ name: 'l', type: 'symlink', link: 'x' }, { name: 'h', type: 'hardlink', link: 'l' }]), /which is a symlink, not a regular file/);
  });

  test('tar: devices and FIFOs', async () => {
    await refused('tar', craftTar(join(fresh('t'), 'chr.tar'), [{ name: 'null', type: 'chr' }]), /"null": it is a character device/);
    await refused('tar', craftTar(join(fresh('t'), 'fifo.tar'), [{ name: 'pipe', type: 'fifo' }]), /"pipe": it is a FIFO/);
  });

  test('tar: a file in the place of the output directory itself', async () => {
    await refused('tar', craftTar(join(fresh('t'), 'root.tar'), [{ name: '.', data: 'x' }]), /refused the entry "\.": it is a file in the place of the output directory itself/);
  });

  test('tar: refusals hold in every header format and under compression', async () => {
    for (const format of ['gnu', 'pax', 'ustar'] as const) {
      await refused('tar', craftTar(join(fresh('t'), `f-${format}.tar.gz`), [{ name: '../evil', data: 'x' }], { compression: 'gz', format }), /its name has a `\.\.` component/);
    }
  });

  test('zip: a `..` component, also written with backslashes', async () => {
    await refused('zip', craftZip(join(fresh('z'), 'dotdot.zip'), [{ name: '../evil', data: 'x' }]), /"\.\.\/evil": its name has a `\.\.` component/);
    await refused('zip', craftZip(join(fresh('z'), 'backslash.zip'), [{ name: '..\\evil', data: 'x' }]), /"\.\.\/evil": its name has a `\.\.` component/);
  });

  test('zip: an absolute path', async () => {
    const target = join(outside, 'zip-absolute-evil');
    await refused('zip', craftZip(join(fresh('z'), 'abs.zip'), [{ name: target, data: 'x' }]), /it is an absolute path/, [target]);
  });

  test('zip: a symlink out, and a write through a symlink', async () => {
    await refused('zip', craftZip(join(fresh('z'), 'link.zip'), [{ name: 'link', type: 'symlink', link: '../../etc' }]), /"link": it is a symlink to "\.\.\/\.\.\/etc", which resolves outside the output/);
    await refused('zip', craftZip(join(fresh('z'), 'through.zip'), [{ name: 'd', type: 'symlink', link: '.' }, { name: 'd/f', data: 'x' }]), /"d\/f": it would be written through the symlink "d"/);
  });

  test('zip: a name with a NUL byte', async () => {
    const archive = craftZip(join(fresh('z'), 'nul.zip'), [{ name: 'evilXname', data: 'x' }]);
    const bytes = readFileSync(archive);
    // zipfile cuts names at NUL, so the byte goes in afterwards, in the local header and the central directory alike.
    for (let at = bytes.indexOf('evilXname'); at >= 0; at = bytes.indexOf('evilXname', at + 1)) bytes[at + 4] = 0;
    writeFileSync(archive, bytes);
    await refused('zip', archive, /refused the entry "evil\\u0000name": its name contains a NUL byte/);
  });

  test('zip: a FIFO', async () => {
    await refused('zip', craftZip(join(fresh('z'), 'fifo.zip'), [{ name: 'pipe', type: 'fifo' }]), /"pipe": it is a special file/);
  });
});

describe('format errors', () => {
  test('data that is not a tar', async () => {
    const f = join(fresh('f'), 'noise.tar');
    writeFileSync(f, Buffer.alloc(2048, 'not a tar archive at all '));
    await rejects(unpack('tar', f), 'unpack/format', /noise\.tar: not a tar archive/);
    const short = join(fresh('f'), 'short.tar');
    writeFileSync(short, 'tiny');
    await rejects(unpack('tar', short), 'unpack/format', /not a tar archive/);
  });

  for (const [label, flag, ext] of [['gzip', '-z', 'gz'], ['bzip2', '-j', 'bz2'], ['xz', '-J', 'xz'], ['zstd', '--zstd', 'zst']] as const) {
    test(`a truncated ${label} tar`, async (t) => {
      if (!requireTool(t, 'tar', 'tar') || !requireTool(t, label, label === 'xz' ? 'xz-utils' : label)) return;
      const dir = sampleTree(fresh('trunc'));
      const archive = join(dir, `cut.tar.${ext}`);
      run('tar', ['-c', flag, '-f', archive, '-C', dir, 'pkg']);
      truncateSync(archive, Math.floor(statSync(archive).size / 2));
      const before = objectCount();
      await rejects(unpack('tar', archive), 'unpack/format', new RegExp(`cut\\.tar\\.${ext}: (the ${label} data is corrupt|.*[Tt]runcated)`));
      assert.equal(objectCount(), before);
    });
  }

  test('a zip given to unpack:tar, a compressed tar to unpack:zip, lz4 to either', async () => {
    const zip = craftZip(join(fresh('f'), 'x.zip'), [{ name: 'a', data: 'a' }]);
    const e = await rejects(unpack('tar', zip), 'unpack/format', /x\.zip: the file is a zip archive, not a tar/);
    assert.match(e.hint ?? '', /unpack:zip/);
    const tgz = craftTar(join(fresh('f'), 'x.tar.gz'), [{ name: 'a', data: 'a' }], { compression: 'gz' });
    assert.match((await rejects(unpack('zip', tgz), 'unpack/format', /gzip-compressed data, not a zip archive/)).hint ?? '', /unpack:tar/);
    const lz4 = join(fresh('f'), 'x.tar.lz4');
    writeFileSync(lz4, Buffer.from([0x04, 0x22, 0x4d, 0x18, 0, 0, 0, 0]));
    await rejects(unpack('tar', lz4), 'unpack/format', /lz4-compressed, which Nomia does not read/);
    const notZip = join(fresh('f'), 'y.zip');
    writeFileSync(notZip, 'plain text, no zip here');
    await rejects(unpack('zip', notZip), 'unpack/format', /y\.zip: not a zip file/);
  });

  test('GNU sparse files, old and pax forms, are refused rather than unpacked wrong', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const dir = fresh('sparse');
    const fd = openSync(join(dir, 'holes'), 'w');
    writeSync(fd, 'start', 0);
    writeSync(fd, 'end', 4 << 20);
    closeSync(fd);
    for (const format of ['gnu', 'posix']) {
      const archive = join(dir, `sparse-${format}.tar`);
      run('tar', [`--format=${format}`, '-cSf', archive, '-C', dir, 'holes']);
      await rejects(unpack('tar', archive), 'unpack/format', /sparse file/);
    }
  });
});

describe('the namespace', () => {
  test('describe: one file in, a directory out, not contextual; bad parameters are usage errors', async () => {
    const sig = await unpackNamespace.describe(req('tar'));
    assert.deepEqual(sig, { inputs: { '0': { type: 'file' } }, outputs: { out: { type: 'dir' } }, defaultOutput: 'out', contextual: false });
    await rejects(Promise.resolve().then(() => unpackNamespace.describe(req('rar'))), 'usage', /unpack:rar is not a name of this namespace/);
    await rejects(Promise.resolve().then(() => unpackNamespace.describe(req('tar', [str('strip', '-1')]))), 'usage', /strip=-1/);
    await rejects(Promise.resolve().then(() => unpackNamespace.describe(req('zip', [str('level', '1')]))), 'usage', /does not take the parameter `level`/);
    await rejects(Promise.resolve().then(() => unpackNamespace.describe(req('zip', [str('name', '.hidden')]))), 'usage', /not a valid object name/);
  });

  test('cancellation stops the unpacking', async (t) => {
    if (!requireTool(t, 'tar', 'tar')) return;
    const dir = sampleTree(fresh('cancel'));
    const archive = join(dir, 'pkg.tar');
    run('tar', ['-cf', archive, '-C', dir, 'pkg']);
    const before = objectCount();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(unpack('tar', archive, [], ac.signal), (e: Error) => e.name === 'AbortError');
    assert.equal(objectCount(), before);
  });

  test('through the CLI: unpack:zip of an imported file; an unsafe archive exits 1 naming the entry', () => {
    const dir = fresh('cli');
    craftZip(join(dir, 'site.zip'), [{ name: 'site/index.html', data: '<p>hi</p>\n' }, { name: 'site/run', data: 'x', mode: 0o755 }]);
    const ok = nomia(join(dir, 'store'), ['realize', '--log-format', 'plain', 'unpack:zip?strip=1(filesystem:import?path="./site.zip")'], { cwd: dir });
    assert.equal(ok.code, 0, ok.err);
    const [name, path] = ok.out.trim().split('\n');
    assert.match(name!, /^filesystem:by-content\?name=site&sha256=[0-9a-f]{64}$/);
    assert.equal(readFileSync(join(path!, 'index.html'), 'utf8'), '<p>hi</p>\n');
    assert.match(ok.err, /unpacked 2 files/);
    craftTar(join(dir, 'evil.tar'), [{ name: '../../evil', data: 'x' }]);
    const bad = nomia(join(dir, 'store'), ['realize', '--log-format', 'plain', 'unpack:tar(filesystem:import?path="./evil.tar")'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.err, /error\[unpack\/unsafe-entry\]: unpack:tar of evil\.tar: refused the entry "\.\.\/\.\.\/evil": its name has a `\.\.` component/);
    mkdirSync(join(dir, 'a-dir'));
    const notFile = nomia(join(dir, 'store'), ['realize', 'unpack:tar(filesystem:import?path="./a-dir")'], { cwd: dir });
    assert.equal(notFile.code, 1);
    assert.match(notFile.err, /input `0` of `unpack:tar` must be a file/);
  });

  test('two xz archives unpack at once under one signal (regression: @napi-rs/lzma refused a shared signal as InvalidArg)', async () => {
    const dir = fresh('two-xz');
    const a = craftTar(join(dir, 'a.tar.xz'), [{ name: 'a/x', data: 'x\n' }], { compression: 'xz' });
    const b = craftTar(join(dir, 'b.tar.xz'), [{ name: 'b/y', data: 'y\n' }], { compression: 'xz' });
    const c = ctx();
    const [ra, rb] = await Promise.all([unpackNamespace.realize(req('tar'), input(a), c), unpackNamespace.realize(req('tar'), input(b), c)]);
    assert.equal(readFileSync(join((ra!['out'] as { path: string }).path, 'a/x'), 'utf8'), 'x\n');
    assert.equal(readFileSync(join((rb!['out'] as { path: string }).path, 'b/y'), 'utf8'), 'y\n');
  });

  test('the same archive unpacks to the same object, and a second realize is a lookup', () => {
    const dir = fresh('again');
    craftTar(join(dir, 'a.tar.xz'), [{ name: 'a/b', data: 'b\n' }], { compression: 'xz' });
    const first = nomia(join(dir, 'store'), ['realize', '--log-format', 'json', 'unpack:tar(filesystem:import?path="./a.tar.xz")'], { cwd: dir });
    assert.equal(first.code, 0, first.err);
    // Walked (`--no-memo`): the memo would answer without running the import.
    const second = nomia(join(dir, 'store'), ['realize', '--no-memo', '--log-format', 'json', 'unpack:tar(filesystem:import?path="./a.tar.xz")'], { cwd: dir });
    assert.equal(second.out, first.out);
    const realizing = second.err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; label?: string }).filter((e) => e.kind === 'realizing').map((e) => e.label);
    assert.deepEqual(realizing, ['filesystem:import?path=./a.tar.xz'], 'only the contextual import runs; the unpack is reused');
    assert.equal(execFileSync('find', [first.out.trim().split('\n')[1]!, '-type', 'f']).toString().trim().split('\n').length, 1);
  });
});
