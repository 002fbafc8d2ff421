/**
 * Reading a NAR back into files (grammar in `nar.ts`, `docs/spec/nar.md`).
 *
 * The parser accepts only the canonical form that `dumpPath` and Nix write:
 * a NAR is hashed as received, so any slack (reordered entries, stray
 * padding, extra bytes) would let two different byte strings stand for the
 * same tree, or one hash for something other than what was materialized.
 * Every refusal is `nar/corrupt` with the byte offset of the problem.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import {
  chmodSync, closeSync, constants as C, fchmodSync, futimesSync, lutimesSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { NomiaStoreError } from '../errors.js';
import { removeTree } from './fs-util.js';
import { contentHashFromDigest, type ContentHash } from './hash.js';
import { checkPathLimits } from './limits.js';

// Longer than any token of the grammar ("nix-archive-1" is 13).
const MAX_TOKEN = 16;
// Linux NAME_MAX and PATH_MAX - 1: anything longer could not be created anyway.
const MAX_NAME = 255;
const MAX_TARGET = 4095;
const EMPTY = Buffer.alloc(0);

type FsPath = string | Buffer;

function corrupt(offset: number, what: string): NomiaStoreError {
  return new NomiaStoreError('nar/corrupt', `corrupt NAR at byte ${offset}: ${what}`);
}

function ioError(p: FsPath, e: unknown): NomiaStoreError {
  const path = p.toString();
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return new NomiaStoreError('store/io', `${path} already exists`, { path, cause: e });
  const c = code === 'ENOSPC' ? 'store/no-space' : 'store/io';
  return new NomiaStoreError(c, `cannot write ${path}: ${(e as Error).message}`, { path, cause: e });
}

function io<T>(p: FsPath, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw ioError(p, e);
  }
}

function join(dir: FsPath, name: Buffer): FsPath {
  if (typeof dir === 'string' && isUtf8(name)) return `${dir}/${name.toString()}`;
  return Buffer.concat([typeof dir === 'string' ? Buffer.from(dir) : dir, Buffer.from('/'), name]);
}

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * Pulls bytes from the source on demand, hashing every chunk as it arrives.
 * Exported for formats that embed NARs in a stream of their own (export.ts):
 * `restoreNext` leaves it just after the NAR it read.
 */
export class NarReader {
  private chunk: Buffer = EMPTY;
  private pos = 0;
  /** Absolute offset of the next unread byte. */
  offset = 0;
  readonly hash = createHash('sha256');
  done = false;
  /** Set once `dest` itself exists, so that only what we made is removed on failure. */
  created = false;

  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Load the next non-empty chunk; false at the end of input. */
  async more(): Promise<boolean> {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } catch (e) {
        this.done = true; // a failed source is finished; do not ask it to return
        throw new NomiaStoreError('store/io', `cannot read the NAR input: ${(e as Error).message}`, { cause: e });
      }
      if (r.done === true) {
        this.done = true;
        return false;
      }
      const c = r.value;
      if (c.length === 0) continue;
      // A view, not a copy: every view handed out is consumed before the next
      // chunk is pulled, so even a source that refills one array is safe.
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      this.hash.update(b);
      this.chunk = b;
      this.pos = 0;
      return true;
    }
  }

  /** Exactly `n` bytes; a view into the current chunk when it holds them all. */
  async take(n: number, what: string): Promise<Buffer> {
    const avail = this.chunk.length - this.pos;
    if (avail >= n) {
      const b = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.offset += n;
      return b;
    }
    const out = Buffer.allocUnsafe(n);
    let have = this.chunk.copy(out, 0, this.pos);
    while (have < n) {
      if (!(await this.more())) throw corrupt(this.offset + have, `input ends inside ${what}`);
      const k = this.chunk.copy(out, have, 0, Math.min(n - have, this.chunk.length));
      this.pos = k;
      have += k;
    }
    this.offset += n;
    return out;
  }

  /** A u64 length, refusing values a JS number cannot hold exactly. */
  async length(what: string): Promise<number> {
    const at = this.offset;
    const b = await this.take(8, `the length of ${what}`);
    const hi = b.readUInt32LE(4);
    if (hi >= 1 << 21) throw corrupt(at, `absurd length of ${what}`);
    return hi * 0x1_0000_0000 + b.readUInt32LE(0);
  }

  /** The padding after `len` bytes of string data, which must be zero. */
  private checkPad(b: Buffer, len: number, start: number): void {
    for (let i = len; i < b.length; i++) if (b[i] !== 0) throw corrupt(start + i, 'non-zero padding');
  }

  /** A padded string of at most `max` bytes (the returned buffer may be a view: copy to keep). */
  async string(max: number, what: string): Promise<Buffer> {
    const at = this.offset;
    const len = await this.length(what);
    if (len > max) throw corrupt(at, `${what} is ${len} bytes long, more than ${max}`);
    const b = await this.take(pad8(len), what);
    this.checkPad(b, len, at + 8);
    return b.subarray(0, len);
  }

  async token(): Promise<{ word: string; at: number }> {
    const at = this.offset;
    const len = await this.length('a token');
    if (len > MAX_TOKEN) throw corrupt(at, `unknown token of ${len} bytes`);
    const b = await this.take(pad8(len), 'a token');
    this.checkPad(b, len, at + 8);
    return { word: b.toString('latin1', 0, len), at };
  }

  async expect(word: string): Promise<void> {
    const t = await this.token();
    if (t.word !== word) throw corrupt(t.at, `expected ${JSON.stringify(word)}, found ${JSON.stringify(t.word)}`);
  }

  /** File contents, written to `fd` as they arrive so memory stays bounded. */
  async contents(fd: number, p: FsPath): Promise<void> {
    const len = await this.length('file contents');
    let left = len;
    while (left > 0) {
      if (this.pos === this.chunk.length && !(await this.more())) {
        throw corrupt(this.offset, `input ends inside file contents (${left} of ${len} bytes missing)`);
      }
      const k = Math.min(left, this.chunk.length - this.pos);
      let done = 0;
      while (done < k) done += io(p, () => writeSync(fd, this.chunk, this.pos + done, k - done));
      this.pos += k;
      this.offset += k;
      left -= k;
    }
    const at = this.offset;
    this.checkPad(await this.take(pad8(len) - len, 'padding'), 0, at);
  }

  /** True when some input remains beyond what was parsed. */
  async trailing(): Promise<boolean> {
    return this.pos < this.chunk.length || (!this.done && (await this.more()));
  }
}

function checkName(name: Buffer, at: number): void {
  const bad =
    name.length === 0 ? 'is empty'
    : name.includes(0x2f) ? 'contains "/"'
    : name.includes(0) ? 'contains a NUL byte'
    : name.length === 1 && name[0] === 0x2e ? 'is "."'
    : name.length === 2 && name[0] === 0x2e && name[1] === 0x2e ? 'is ".."'
    : undefined;
  if (bad !== undefined) throw corrupt(at, `entry name ${JSON.stringify(name.toString())} ${bad}`);
}

/**
 * How a restore leaves the files' metadata. `plain`: files 0644/0755 and directories 0755, the times of
 * their making. `canonical`: the store's normalized metadata (`normalizeTree` in fs-util.ts: files
 * 0444/0555, directories 0555, every mtime 1 s), set as each entry is finished, so that a tree restored
 * for the store needs no second pass (three calls per entry) before it is committed.
 */
export type RestoreMetadata = 'plain' | 'canonical';

/** `depth`/`length`: where `dest` is below the root, checked against the store's limits (limits.ts). */
async function restoreObject(r: NarReader, dest: FsPath, meta: RestoreMetadata, root = false, depth = 0, length = 0): Promise<void> {
  const canonical = meta === 'canonical';
  await r.expect('(');
  await r.expect('type');
  const type = await r.token();
  if (type.word === 'regular') {
    let t = await r.token();
    const executable = t.word === 'executable';
    if (executable) {
      await r.expect('');
      t = await r.token();
    }
    if (t.word !== 'contents') throw corrupt(t.at, `expected "contents", found ${JSON.stringify(t.word)}`);
    const mode = canonical ? (executable ? 0o555 : 0o444) : executable ? 0o755 : 0o644;
    // A file created read-only is still written through the descriptor that created it.
    const fd = io(dest, () => openSync(dest, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode));
    r.created ||= root;
    try {
      io(dest, () => fchmodSync(fd, mode)); // the umask must not decide what we hash later
      await r.contents(fd, dest);
      // After the last write, which sets the time.
      if (canonical) io(dest, () => futimesSync(fd, 1, 1));
    } finally {
      closeSync(fd);
    }
    await r.expect(')');
  } else if (type.word === 'symlink') {
    await r.expect('target');
    const at = r.offset;
    const target = await r.string(MAX_TARGET, 'a symlink target');
    if (target.length === 0 || target.includes(0)) throw corrupt(at, 'symlink target is empty or contains a NUL byte');
    io(dest, () => symlinkSync(Buffer.from(target), dest));
    r.created ||= root;
    if (canonical) io(dest, () => lutimesSync(dest, 1, 1));
    await r.expect(')');
  } else if (type.word === 'directory') {
    io(dest, () => mkdirSync(dest, 0o755));
    r.created ||= root;
    io(dest, () => chmodSync(dest, 0o755));
    let prev: Buffer | undefined;
    for (;;) {
      const t = await r.token();
      if (t.word === ')') {
        // Once its entries are made (each changes its time, and a 0555 directory takes none as a user).
        if (canonical) io(dest, () => { chmodSync(dest, 0o555); utimesSync(dest, 1, 1); });
        return;
      }
      if (t.word !== 'entry') throw corrupt(t.at, `expected "entry" or ")", found ${JSON.stringify(t.word)}`);
      await r.expect('(');
      await r.expect('name');
      const at = r.offset;
      const name = Buffer.from(await r.string(MAX_NAME, 'an entry name'));
      checkName(name, at);
      if (prev !== undefined && Buffer.compare(prev, name) >= 0) {
        const n = JSON.stringify(name.toString());
        throw corrupt(at, prev.equals(name) ? `duplicate entry ${n}` : `entries out of order: ${n} after ${JSON.stringify(prev.toString())}`);
      }
      prev = name;
      const below = length + (depth === 0 ? 0 : 1) + name.length;
      checkPathLimits(depth + 1, below, 'the NAR');
      await r.expect('node');
      await restoreObject(r, join(dest, name), meta, false, depth + 1, below);
      await r.expect(')');
    }
  } else {
    throw corrupt(type.at, `unknown object type ${JSON.stringify(type.word)}`);
  }
}

/**
 * Parse the NAR read from `source` (a stream, `process.stdin`, any async
 * iterable of bytes) and create the object at `dest`, which must not exist.
 * Files get mode 0644 or 0755 whatever the umask (`canonical`: the store's
 * metadata, see `RestoreMetadata`). Returns the NAR's size and
 * SHA-256, computed from the bytes as they came, so a caller can check them
 * against an expected hash without reading the input twice. On any error the
 * partial `dest` is removed and `nar/corrupt` (with the byte offset) or a
 * `store/…` error is thrown.
 */
export async function restoreNar(
  source: AsyncIterable<Uint8Array>,
  dest: string,
  meta: RestoreMetadata = 'plain',
): Promise<{ narSize: number; hash: ContentHash }> {
  const it = source[Symbol.asyncIterator]();
  const r = new NarReader(it);
  let ok = false;
  try {
    await restoreNext(r, dest, meta);
    const end = r.offset;
    if (await r.trailing()) throw corrupt(end, 'trailing bytes after the end of the archive');
    ok = true;
    return { narSize: end, hash: contentHashFromDigest(r.hash.digest()) };
  } finally {
    if (!ok) {
      if (r.created) removeTree(dest);
      // Release the source (destroys a stream); its own error would only hide ours.
      if (!r.done) await Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }
}

/**
 * Parse one NAR from `r` (magic included) into `dest`, which must not exist,
 * leaving `r` just after it. On an error the partial `dest` is removed.
 */
export async function restoreNext(r: NarReader, dest: string, meta: RestoreMetadata = 'plain'): Promise<void> {
  // No lstat first: `dest`'s creation is exclusive (O_EXCL, mkdir, symlink), so one that exists fails
  // it (`… already exists`), and only what this restore created (`created`) is removed on an error.
  r.created = false;
  try {
    const magic = await r.token();
    if (magic.word !== 'nix-archive-1') throw corrupt(magic.at, 'not a NAR (wrong magic)');
    await restoreObject(r, dest, meta, true);
  } catch (e) {
    if (r.created) removeTree(dest);
    r.created = false;
    throw e;
  }
}

/** `nar/corrupt` at a byte offset, for formats built on NarReader. */
export { corrupt as narCorrupt };
