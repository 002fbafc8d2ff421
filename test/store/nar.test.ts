/**
 * NAR serialization against Nix (the oracle: `nix-store --dump`, `nix-hash`,
 * `nix hash path`), restore round trips, and the strictness of the parser on
 * NARs corrupted by editing good ones.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, createReadStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync,
  symlinkSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { NomiaStoreError } from '../../src/errors.js';
import { toBase32, toSri, type ContentHash } from '../../src/store/hash.js';
import { normalizeTree } from '../../src/store/fs-util.js';
import { dumpPath, hashPath, restoreNar } from '../../src/store/nar.js';
import { requireTool } from '../support/tools.js';

const NIX = ['--extra-experimental-features', 'nix-command'];
const BIG = 100 * 1024 * 1024 + 3; // odd, so the last block needs padding
const MANY = 10_000;

let base = '';
/** name → path of each fixture object given to Nix and to us. */
const cases = new Map<string, string>();

function put(rel: string, content: string | Buffer = '', mode = 0o644): string {
  const p = join(base, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
}

function dir(rel: string): string {
  const p = join(base, rel);
  mkdirSync(p, { recursive: true });
  return p;
}

function link(rel: string, target: string): string {
  const p = join(base, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  symlinkSync(target, p);
  return p;
}

before(() => {
  base = mkdtempSync(join(tmpdir(), 'nomia-nar-'));
  cases.set('empty file', put('empty'));
  cases.set('text file', put('text', 'hello\n'));
  cases.set('executable', put('exe', '#!/bin/sh\necho hi\n', 0o755));
  cases.set('owner-x only is executable', put('owner-x', 'x', 0o700));
  cases.set('group/other-x only is not executable', put('group-x', 'x', 0o655));
  cases.set('empty directory', dir('emptydir'));
  cases.set('relative symlink', link('rel-link', 'nested/a/b'));
  cases.set('absolute symlink', link('abs-link', '/etc/hostname'));
  cases.set('dangling symlink', link('dangling', '/nonexistent/ünïcode target'));
  for (let n = 0; n <= 17; n++) put(`sizes/s${String(n).padStart(2, '0')}`, 'z'.repeat(n));
  cases.set('every padding length', join(base, 'sizes'));
  put('nested/a/b/c/d/e/deep', 'deep');
  put('nested/a/tool', 'tool', 0o755);
  dir('nested/a/empty');
  link('nested/a/up', '../..');
  link('nested/a/self', '.');
  put('nested/z', 'z');
  cases.set('nested directories', join(base, 'nested'));
  for (const name of ['é', 'e\u0301', '日本語', 'Zebra', 'apple', '.hidden', '-dash', 'a b', 'new\nline', 'ÿ', '\u{1f600}', '\uff61']) {
    put(`unicode/${name}`, name);
  }
  cases.set('unicode names', join(base, 'unicode'));
  // U+FF61 sorts after U+1F600 in UTF-16 code units (0xFF61 > 0xD83D), but
  // before it in UTF-8 bytes (0xEF < 0xF0): a JS default sort would differ.
  put('utf16-order/\uff61', '1');
  put('utf16-order/\u{1f600}', '2');
  cases.set('UTF-16 vs byte order', join(base, 'utf16-order'));
  dir('latin1');
  writeFileSync(Buffer.concat([Buffer.from(join(base, 'latin1/')), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'not UTF-8');
  writeFileSync(join(base, 'latin1/cafe'), 'UTF-8');
  cases.set('a name that is not UTF-8', join(base, 'latin1'));
  for (let i = 0; i < MANY; i++) put(`many/d${i % 100}/f${i}`, `file ${i}\n`.repeat(i % 7), i % 13 === 0 ? 0o755 : 0o644);
  cases.set(`${MANY} small files`, join(base, 'many'));
  const block = createHash('sha512').update('seed').digest();
  const mib = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib.length; i += block.length) block.copy(mib, i);
  const big = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i += mib.length) mib.copy(big, i, 0, Math.min(mib.length, BIG - i));
  big[12345] = 1; // not perfectly periodic
  cases.set('100 MB file', put('big', big));
});

after(() => {
  if (base !== '') rmSync(base, { recursive: true, force: true });
});

/** SHA-256 and size of our NAR of `p`, streamed. */
async function ours(p: string): Promise<{ sha: string; size: number }> {
  const h = createHash('sha256');
  const { narSize } = await dumpPath(p, (c) => h.update(c));
  return { sha: h.digest('hex'), size: narSize };
}

/** SHA-256 and size of `nix-store --dump p`, streamed. */
function nixDump(p: string): Promise<{ sha: string; size: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('nix-store', ['--dump', p], { stdio: ['ignore', 'pipe', 'inherit'] });
    const h = createHash('sha256');
    let size = 0;
    child.stdout.on('data', (c: Buffer) => {
      h.update(c);
      size += c.length;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ sha: h.digest('hex'), size }) : reject(new Error(`nix-store exit ${code}`))));
  });
}

async function narBytes(p: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await dumpPath(p, (c) => chunks.push(Buffer.from(c))); // copy: the chunk is reused
  return Buffer.concat(chunks);
}

async function* slices(buf: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let k = 0; i < buf.length; k++) {
    const n = sizes.length === 0 ? buf.length : Math.max(1, sizes[k % sizes.length]!);
    yield buf.subarray(i, i + n);
    i += n;
  }
}

let scratchN = 0;
function scratch(): string {
  return join(base, `out-${scratchN++}`);
}

describe('dumpPath and hashPath agree with Nix', () => {
  test('the UTF-16 fixture really does sort differently by code units', () => {
    assert.deepEqual(['\uff61', '\u{1f600}'].sort(), ['\u{1f600}', '\uff61']);
    assert.ok(Buffer.compare(Buffer.from('\uff61'), Buffer.from('\u{1f600}')) < 0);
  });

  test('NAR bytes equal nix-store --dump', async (t) => {
    if (!requireTool(t, 'nix-store', 'nix-bin')) return;
    for (const [name, p] of cases) {
      const [a, b] = await Promise.all([ours(p), nixDump(p)]);
      assert.deepEqual(a, b, name);
    }
  });

  test('hashes equal nix-hash --base32 and nix hash path (SRI)', async (t) => {
    if (!requireTool(t, 'nix-store', 'nix-bin')) return;
    const paths = [...cases.values()];
    const base32 = execFileSync('nix-hash', ['--type', 'sha256', '--base32', ...paths], { encoding: 'utf8' }).trim().split('\n');
    const sri = execFileSync('nix', [...NIX, 'hash', 'path', ...paths], { encoding: 'utf8' }).trim().split('\n');
    const names = [...cases.keys()];
    for (let i = 0; i < paths.length; i++) {
      const { hash } = await hashPath(paths[i]!);
      assert.equal(toBase32(hash), base32[i], names[i]);
      assert.equal(toSri(hash), sri[i], names[i]);
    }
  });

  test('hashPath is the SHA-256 of dumpPath; onFile sees every regular file', async () => {
    const p = cases.get(`${MANY} small files`)!;
    let files = 0;
    let bytes = 0;
    const h = createHash('sha256');
    const { narSize } = await dumpPath(p, (c) => h.update(c), {
      onFile: (rel, size) => {
        assert.match(rel, /^d\d+\/f\d+$/);
        files++;
        bytes += size;
      },
    });
    assert.equal(files, MANY);
    assert.ok(bytes > 0);
    assert.deepEqual(await hashPath(p), { hash: h.digest('hex') as ContentHash, narSize });
  });
});

describe('restoreNar', () => {
  test('dump → restore → dump gives identical bytes, with the same hash and size', async () => {
    for (const [name, p] of cases) {
      if (name === '100 MB file') continue;
      const nar = await narBytes(p);
      const dest = scratch();
      const got = await restoreNar(slices(nar, [4096, 1, 7, 9, 100_000]), dest);
      assert.equal(got.narSize, nar.length, name);
      assert.equal(got.hash, createHash('sha256').update(nar).digest('hex'), name);
      assert.ok((await narBytes(dest)).equals(nar), name);
    }
  });

  test('any chunking of the input restores the same tree', async () => {
    const nar = await narBytes(cases.get('nested directories')!);
    const want = createHash('sha256').update(nar).digest('hex');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }), async (sizes) => {
        const dest = scratch();
        assert.equal((await restoreNar(slices(nar, sizes), dest)).hash, want);
        assert.equal((await hashPath(dest)).hash, want);
      }),
      { numRuns: 40 },
    );
  });

  test('a source that refills one array for every chunk is safe', async () => {
    const nar = await narBytes(cases.get('unicode names')!);
    async function* refill(): AsyncGenerator<Uint8Array> {
      const one = new Uint8Array(5);
      for (let i = 0; i < nar.length; i += 5) {
        const n = nar.copy(one, 0, i, i + 5);
        yield one.subarray(0, n);
        one.fill(0xee);
      }
    }
    const dest = scratch();
    await restoreNar(refill(), dest);
    assert.ok((await narBytes(dest)).equals(nar));
  });

  test('a 100 MB file streams from nix-store --dump to disk', async (t) => {
    if (!requireTool(t, 'nix-store', 'nix-bin')) return;
    const p = cases.get('100 MB file')!;
    const child = spawn('nix-store', ['--dump', p], { stdio: ['ignore', 'pipe', 'inherit'] });
    const dest = scratch();
    const got = await restoreNar(child.stdout, dest);
    const want = await hashPath(p);
    assert.deepEqual(got, want);
    assert.deepEqual(await hashPath(dest), want);
  });

  test('modes are 0644/0755 whatever the umask; symlinks keep their targets', async () => {
    const nar = await narBytes(cases.get('nested directories')!);
    const dest = scratch();
    const old = process.umask(0o077);
    try {
      await restoreNar(slices(nar, []), dest);
    } finally {
      process.umask(old);
    }
    assert.equal(lstatSync(join(dest, 'z')).mode & 0o7777, 0o644);
    assert.equal(lstatSync(join(dest, 'a/tool')).mode & 0o7777, 0o755);
    assert.equal(lstatSync(join(dest, 'a/empty')).mode & 0o7777, 0o755);
    assert.equal(readlinkSync(join(dest, 'a/up')), '../..');
    assert.equal(readFileSync(join(dest, 'a/b/c/d/e/deep'), 'utf8'), 'deep');
  });

  test('canonical: the tree has the metadata normalizeTree gives, entry by entry, with no pass after it', async () => {
    const nar = await narBytes(cases.get('nested directories')!);
    const want = scratch();
    await restoreNar(slices(nar, []), want);
    normalizeTree(want);
    const dest = scratch();
    const old = process.umask(0o077);
    try {
      assert.equal((await restoreNar(slices(nar, [100, 3]), dest, 'canonical')).hash, createHash('sha256').update(nar).digest('hex'));
    } finally {
      process.umask(old);
    }
    /** Every entry's type, mode and mtime, by path below the root. */
    const meta = (root: string): string[] => {
      const out: string[] = [];
      const walk = (rel: string): void => {
        const st = lstatSync(join(root, rel));
        out.push(`${rel} ${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
        if (st.isDirectory()) for (const e of readdirSync(join(root, rel)).sort()) walk(join(rel, e));
      };
      walk('.');
      return out;
    };
    const got = meta(dest);
    assert.deepEqual(got, meta(want));
    assert.ok(got.some((l) => / 40000 555 1000$/.test(l)) && got.some((l) => / 100000 444 1000$/.test(l)) && got.some((l) => / 100000 555 1000$/.test(l)) && got.some((l) => / 120000 777 1000$/.test(l)), got.join('\n'));
    assert.deepEqual(await hashPath(dest), await hashPath(want));
  });

  test('reads a file stream; refuses an existing destination and leaves it alone', async () => {
    const narFile = join(base, 'text.nar');
    writeFileSync(narFile, await narBytes(cases.get('text file')!));
    const dest = scratch();
    await restoreNar(createReadStream(narFile), dest);
    assert.equal(readFileSync(dest, 'utf8'), 'hello\n');
    await assert.rejects(restoreNar(createReadStream(narFile), dest), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError);
      assert.equal(e.code, 'store/io');
      assert.match(e.message, /already exists/);
      return true;
    });
    assert.equal(readFileSync(dest, 'utf8'), 'hello\n');
    const missing = scratch();
    await assert.rejects(restoreNar(createReadStream(join(base, 'no-such.nar')), missing), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError);
      assert.equal(e.code, 'store/io');
      assert.match(e.message, /cannot read the NAR input: ENOENT/);
      return true;
    });
    assert.ok(!existsSync(missing));
  });
});

describe('restoreNar refuses corrupt NARs', () => {
  let good: Buffer = Buffer.alloc(0);

  before(async () => {
    put('corrupt/aaa', 'hello');
    put('corrupt/bbb', 'run', 0o755);
    link('corrupt/ccc', 'aaa');
    good = await narBytes(join(base, 'corrupt'));
  });

  /** The padded NAR string `s`, as it appears in the archive. */
  function enc(s: string | Buffer): Buffer {
    const b = Buffer.from(s);
    const out = Buffer.alloc(8 + ((b.length + 7) & ~7));
    out.writeBigUInt64LE(BigInt(b.length));
    b.copy(out, 8);
    return out;
  }

  function edit(from: Buffer, to: Buffer, nar = good): Buffer {
    const i = nar.indexOf(from);
    assert.ok(i >= 0, `${from.toString()} not found`);
    return Buffer.concat([nar.subarray(0, i), to, nar.subarray(i + from.length)]);
  }

  function withLength(of: Buffer, len: bigint): Buffer {
    const to = Buffer.from(of);
    to.writeBigUInt64LE(len);
    return edit(of, to);
  }

  async function assertCorrupt(nar: Buffer, why: RegExp, label = why.source): Promise<void> {
    const dest = scratch();
    await assert.rejects(restoreNar(slices(nar, [64]), dest), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError, `${label}: ${String(e)}`);
      assert.equal(e.code, 'nar/corrupt', label);
      assert.match(e.message, /^corrupt NAR at byte \d+: /, label);
      assert.match(e.message, why, label);
      return true;
    });
    assert.ok(!existsSync(dest), `${label}: the partial destination is removed`);
  }

  test('the good one restores', async () => {
    await restoreNar(slices(good, [64]), scratch());
  });

  test('wrong magic, unknown tokens and types', async () => {
    await assertCorrupt(edit(enc('nix-archive-1'), enc('nix-archive-2')), /wrong magic/);
    await assertCorrupt(Buffer.concat([Buffer.from('PK\x03\x04'), good]), /absurd length|unknown token/);
    await assertCorrupt(edit(enc('regular'), enc('regulax')), /unknown object type "regulax"/);
    await assertCorrupt(edit(enc('entry'), enc('entrx')), /expected "entry" or "\)"/);
    await assertCorrupt(edit(enc('contents'), enc('contentz')), /expected "contents"/);
    await assertCorrupt(edit(enc('target'), enc('targes')), /expected "target"/);
    await assertCorrupt(edit(Buffer.concat([enc('executable'), enc('')]), Buffer.concat([enc('executable'), enc('x')])), /expected ""/);
    await assertCorrupt(edit(enc('name'), enc('a-much-longer-token')), /unknown token of 19 bytes/);
  });

  test('non-zero padding, with the offset of the offending byte', async () => {
    for (const what of [enc('aaa'), enc('hello'), enc('(')]) {
      const i = good.indexOf(what) + 8 + what.readUInt32LE(0);
      const bad = Buffer.from(good);
      bad[i] = 1;
      await assertCorrupt(bad, new RegExp(`^corrupt NAR at byte ${i}: non-zero padding$`));
    }
  });

  test('truncation at every byte', async () => {
    for (let n = 0; n < good.length; n++) await assertCorrupt(good.subarray(0, n), /input ends/, `cut at ${n}`);
  });

  test('trailing garbage', async () => {
    await assertCorrupt(Buffer.concat([good, Buffer.alloc(1)]), new RegExp(`at byte ${good.length}: trailing`));
    await assertCorrupt(Buffer.concat([good, good]), /trailing/);
  });

  test('unsorted or duplicate entries', async () => {
    await assertCorrupt(edit(enc('ccc'), enc('000')), /entries out of order: "000" after "bbb"/);
    await assertCorrupt(edit(enc('bbb'), enc('aaa')), /duplicate entry "aaa"/);
  });

  test('entry names that could escape or are not names', async () => {
    await assertCorrupt(edit(enc('aaa'), enc('')), /is empty/);
    await assertCorrupt(edit(enc('aaa'), enc('.')), /is "\."/);
    await assertCorrupt(edit(enc('aaa'), enc('..')), /is "\.\."/);
    await assertCorrupt(edit(enc('aaa'), enc('a/b')), /contains "\/"/);
    await assertCorrupt(edit(enc('aaa'), enc('/')), /contains "\/"/);
    await assertCorrupt(edit(enc('aaa'), enc('a\0')), /contains a NUL/);
    await assertCorrupt(edit(enc('aaa'), enc('x'.repeat(256))), /more than 255/);
  });

  test('absurd lengths', async () => {
    await assertCorrupt(withLength(enc('hello'), 1n << 62n), /absurd length of file contents/);
    await assertCorrupt(withLength(enc('hello'), 1n << 40n), /input ends inside file contents/);
    await assertCorrupt(withLength(enc('aaa'), 1n << 40n), /an entry name is \d+ bytes long/);
    await assertCorrupt(withLength(enc('name'), 0xffff_ffff_ffff_ffffn), /absurd length of a token/);
    await assertCorrupt(withLength(enc('entry'), 1000n), /unknown token of 1000 bytes/);
    await assertCorrupt(edit(enc('aaa'), enc('t'.repeat(5000))), /entry name is 5000 bytes/);
    await assertCorrupt(
      Buffer.concat([enc('nix-archive-1'), enc('('), enc('type'), enc('symlink'), enc('target'), enc('x'.repeat(4096)), enc(')')]),
      /symlink target is 4096 bytes long/,
    );
  });
});

describe('what dumpPath refuses', () => {
  function assertUnsupported(e: unknown, path: string, kind: RegExp): true {
    assert.ok(e instanceof NomiaStoreError, String(e));
    assert.equal(e.code, 'store/unsupported-file');
    assert.equal(e.path, path);
    assert.ok(e.message.includes(path));
    assert.match(e.message, kind);
    return true;
  }

  test('a socket, at the root or inside a directory', async () => {
    const d = dir('with-socket');
    const sock = join(d, 'sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      await assert.rejects(hashPath(sock), (e) => assertUnsupported(e, sock, /socket/));
      await assert.rejects(hashPath(d), (e) => assertUnsupported(e, sock, /socket/));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a FIFO', async (t) => {
    if (!requireTool(t, 'mkfifo', 'coreutils')) return;
    const d = dir('with-fifo');
    const fifo = join(d, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    await assert.rejects(hashPath(fifo), (e) => assertUnsupported(e, fifo, /FIFO/));
    await assert.rejects(hashPath(d), (e) => assertUnsupported(e, fifo, /FIFO/));
  });

  test('a character device', async () => {
    await assert.rejects(hashPath('/dev/null'), (e) => assertUnsupported(e, '/dev/null', /character device/));
  });

  test('a missing path', async () => {
    const p = join(base, 'no-such-thing');
    await assert.rejects(hashPath(p), (e: unknown) => {
      assert.ok(e instanceof NomiaStoreError);
      assert.equal(e.code, 'store/io');
      assert.equal(e.path, p);
      assert.match(e.message, /does not exist/);
      return true;
    });
  });
});
