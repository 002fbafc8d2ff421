/**
 * The Nix archive (NAR): a deterministic serialization of a file-system
 * object, so that equal trees give equal bytes and equal SHA-256 hashes
 * (`docs/spec/nar.md` is the long form).
 *
 * Everything is built from one primitive, the padded string:
 *
 *   str(b)   = u64le(length of b) ‖ b ‖ zero bytes up to the next multiple of 8
 *
 * Bare words below stand for str(word). The grammar:
 *
 *   archive  = "nix-archive-1" object
 *   object   = "(" "type" body ")"
 *   body     = "regular" [ "executable" "" ] "contents" str(file bytes)
 *            | "symlink" "target" str(target bytes)
 *            | "directory" entry*
 *   entry    = "entry" "(" "name" str(name bytes) "node" object ")"
 *
 * Directory entries appear in strictly increasing order of their name bytes
 * (plain byte comparison, not UTF-16 order). Nothing else is recorded: no
 * times, owners, or permission bits beyond "executable" (owner x bit).
 *
 * Serialization is synchronous on purpose: for trees of many small files the
 * sync fs calls are markedly faster than promise round trips, and all output
 * goes through one reused 4 MiB buffer, so neither many small allocations nor
 * a big file's contents ever pile up in memory.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { closeSync, constants as C, lstatSync, openSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { NomiaStoreError } from '../errors.js';
import { contentHashFromDigest, type ContentHash } from './hash.js';
import { readUnsized } from './fs-util.js';
import { checkPathLimits } from './limits.js';

export { restoreNar } from './nar-restore.js';

/** A path as the dump walks it: a string, or a Buffer where a name is not UTF-8. */
export type FsPath = string | Buffer;

/**
 * Receives the tree while it is serialized, so that a copy can be made from
 * the very bytes that are hashed: the source is read once, and what is
 * copied is exactly what the hash covers, even if the source changes
 * meanwhile. Paths are the source paths being dumped (`path` and below).
 */
export interface Mirror {
  /** Before the entries of a directory. */
  enterDirectory(p: FsPath): void;
  /** After them. */
  leaveDirectory(p: FsPath): void;
  beginFile(p: FsPath, executable: boolean, size: number): void;
  /** The file's bytes, in order. The chunk is reused after the call returns. */
  fileData(chunk: Buffer): void;
  endFile(): void;
  symlink(p: FsPath, target: Buffer): void;
}

/** Options of `dumpPath`. */
export interface DumpOptions {
  /** Called for each regular file (relative path with `/`, `''` for the root), e.g. for progress. */
  readonly onFile?: (relPath: string, size: number) => void;
  /** Materialize a copy while dumping; see `Mirror`. */
  readonly mirror?: Mirror;
}

/** Bytes handed to the sink at once; also the read block size for big files. */
const BLOCK = 4 << 20;

/** The padded string of the UTF-8 bytes of `s` (for formats built from NAR strings, e.g. export.ts). */
export function narString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(8 + padded(b.length));
  out.writeUInt32LE(b.length, 0);
  b.copy(out, 8);
  return out;
}

function padded(n: number): number {
  return (n + 7) & ~7;
}

const tokens = (...ws: string[]): Buffer => Buffer.concat(ws.map(narString));

// Whole token runs are pre-encoded so that an object header is one copy.
const MAGIC = tokens('nix-archive-1');
const REGULAR = tokens('(', 'type', 'regular', 'contents');
const EXECUTABLE = tokens('(', 'type', 'regular', 'executable', '', 'contents');
const SYMLINK = tokens('(', 'type', 'symlink', 'target');
const DIRECTORY = tokens('(', 'type', 'directory');
const ENTRY = tokens('entry', '(', 'name');
const NODE = tokens('node');
const CLOSE = tokens(')');
const ZEROS = Buffer.alloc(8);

const SLASH = Buffer.from('/');

/** Join without losing bytes: names that are not UTF-8 keep a Buffer path. */
function join(dir: FsPath, name: Buffer): FsPath {
  if (typeof dir === 'string' && isUtf8(name)) return dir === '/' ? `/${name.toString()}` : `${dir}/${name.toString()}`;
  const d = typeof dir === 'string' ? Buffer.from(dir) : dir;
  return Buffer.concat([d, SLASH, name]);
}

function shown(p: FsPath): string {
  return typeof p === 'string' ? p : p.toString();
}

function ioError(p: FsPath, e: unknown): NomiaStoreError {
  const path = shown(p);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new NomiaStoreError('store/io', `${path} does not exist`, { path, cause: e });
  return new NomiaStoreError('store/io', `cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
}

function kindOf(mode: number): string {
  switch (mode & C.S_IFMT) {
    case C.S_IFSOCK: return 'a socket';
    case C.S_IFIFO: return 'a FIFO (named pipe)';
    case C.S_IFCHR: return 'a character device';
    case C.S_IFBLK: return 'a block device';
    default: return 'a file of unknown type';
  }
}

/** Accumulates output in one reused buffer and hands full blocks to the sink. */
/**
 * The block buffer of the last finished dump, for the next one: a dump runs
 * synchronously from start to end, and allocating 4 MiB for each of
 * thousands of one-file adds is most of their garbage. A dump started while
 * another runs (from a sink) gets its own.
 */
let spare: Buffer | undefined;

class Writer {
  readonly buf: Buffer = spare ?? Buffer.allocUnsafe(BLOCK);
  n = 0;
  total = 0;
  /** Set while a file is read when a mirror wants its bytes. */
  onData: ((chunk: Buffer) => void) | undefined;

  /** `root`: the path being dumped, for messages. */
  constructor(private readonly sink: (chunk: Buffer) => void, readonly root: string) {
    if (this.buf === spare) spare = undefined;
  }

  /** Give the buffer back for the next dump; this writer is done. */
  release(): void {
    spare = this.buf;
  }

  flush(): void {
    if (this.n === 0) return;
    this.total += this.n;
    const n = this.n;
    this.n = 0;
    this.sink(this.buf.subarray(0, n));
  }

  bytes(b: Buffer): void {
    if (this.n + b.length > BLOCK) this.flush();
    if (b.length > BLOCK) {
      this.total += b.length;
      this.sink(b);
      return;
    }
    this.n += b.copy(this.buf, this.n);
  }

  u64(v: number): void {
    if (this.n + 8 > BLOCK) this.flush();
    this.buf.writeUInt32LE(v >>> 0, this.n);
    this.buf.writeUInt32LE(Math.floor(v / 0x1_0000_0000), this.n + 4);
    this.n += 8;
  }

  /** A padded string whose bytes are `b`. */
  str(b: Buffer): void {
    this.u64(b.length);
    this.bytes(b);
    this.pad(b.length);
  }

  pad(len: number): void {
    const p = padded(len) - len;
    if (p > 0) this.bytes(ZEROS.subarray(0, p));
  }

  /** A file's contents already read into memory. */
  fileBytes(b: Buffer): void {
    this.u64(b.length);
    this.onData?.(b);
    this.bytes(b);
    this.pad(b.length);
  }

  /** Copy `size` bytes of the open file `fd` straight into the block buffer. */
  file(fd: number, size: number, p: FsPath): void {
    this.u64(size);
    let left = size;
    while (left > 0) {
      if (this.n === BLOCK) this.flush();
      const want = Math.min(left, BLOCK - this.n);
      let got: number;
      try {
        got = readSync(fd, this.buf, this.n, want, null);
      } catch (e) {
        throw ioError(p, e);
      }
      if (got === 0) {
        throw new NomiaStoreError('store/io', `${shown(p)} shrank while being read (expected ${size} bytes)`, { path: shown(p) });
      }
      this.onData?.(this.buf.subarray(this.n, this.n + got));
      this.n += got;
      left -= got;
    }
    this.pad(size);
  }
}

function lstat(p: FsPath): Stats {
  try {
    return lstatSync(p);
  } catch (e) {
    throw ioError(p, e);
  }
}

/** Where the walk is: components below the root, and the bytes of the path relative to it. */
interface Depth {
  readonly depth: number;
  readonly length: number;
}

function dumpObject(w: Writer, p: FsPath, st: Stats, rel: string, opts: DumpOptions, at: Depth): void {
  const type = st.mode & C.S_IFMT;
  if (type === C.S_IFREG) {
    w.bytes(st.mode & C.S_IXUSR ? EXECUTABLE : REGULAR);
    let fd: number;
    try {
      // O_NOFOLLOW: if the file was swapped for a symlink since lstat, fail
      // rather than archive what the link points to.
      fd = openSync(p, C.O_RDONLY | C.O_NOFOLLOW);
    } catch (e) {
      throw ioError(p, e);
    }
    const mirror = opts.mirror;
    try {
      // procfs and sysfs report size 0 for files that have contents: read those to the end.
      const whole = st.size === 0 ? readUnsized(fd, shown(p)) : undefined;
      if (mirror) {
        mirror.beginFile(p, (st.mode & C.S_IXUSR) !== 0, whole?.length ?? st.size);
        w.onData = (chunk) => mirror.fileData(chunk);
      }
      if (whole) w.fileBytes(whole);
      else w.file(fd, st.size, p);
      mirror?.endFile();
    } finally {
      w.onData = undefined;
      closeSync(fd);
    }
    opts.onFile?.(rel, st.size);
  } else if (type === C.S_IFLNK) {
    w.bytes(SYMLINK);
    let target: Buffer;
    try {
      target = readlinkSync(p, { encoding: 'buffer' });
    } catch (e) {
      throw ioError(p, e);
    }
    w.str(target);
    opts.mirror?.symlink(p, target);
  } else if (type === C.S_IFDIR) {
    w.bytes(DIRECTORY);
    let names: Buffer[];
    try {
      names = readdirSync(p, { encoding: 'buffer' });
    } catch (e) {
      throw ioError(p, e);
    }
    names.sort(Buffer.compare);
    opts.mirror?.enterDirectory(p);
    for (const name of names) {
      w.bytes(ENTRY);
      w.str(name);
      w.bytes(NODE);
      const child = join(p, name);
      const childRel = opts.onFile === undefined ? '' : rel === '' ? name.toString() : `${rel}/${name.toString()}`;
      const below = { depth: at.depth + 1, length: at.length + (at.depth === 0 ? 0 : 1) + name.length };
      // The recursion stays within MAX_DEPTH frames, and nothing too deep for the store gets in.
      checkPathLimits(below.depth, below.length, w.root);
      dumpObject(w, child, lstat(child), childRel, opts, below);
      w.bytes(CLOSE);
    }
    opts.mirror?.leaveDirectory(p);
  } else {
    const path = shown(p);
    throw new NomiaStoreError(
      'store/unsupported-file',
      `${path} is ${kindOf(st.mode)}; the store holds only regular files, executables, symlinks and directories`,
      { path },
    );
  }
  w.bytes(CLOSE);
}

/**
 * Serialize the object at `path` (not following a symlink there) as a NAR,
 * feeding the bytes to `sink` in order. The chunk passed to `sink` is reused
 * after the call returns: copy it if it must outlive the call (hashing does
 * not need to). Throws `store/io` for a missing or unreadable path and
 * `store/unsupported-file` for sockets, FIFOs and devices.
 */
export async function dumpPath(
  path: string,
  sink: (chunk: Buffer) => void,
  options: DumpOptions = {},
): Promise<{ narSize: number }> {
  const w = new Writer(sink, path);
  try {
    const st = lstat(path);
    w.bytes(MAGIC);
    dumpObject(w, path, st, '', options, { depth: 0, length: 0 });
    w.flush();
    return { narSize: w.total };
  } finally {
    w.release();
  }
}

/** The content hash of the object at `path`: the SHA-256 of its NAR, as Nix computes `narHash`. */
export async function hashPath(path: string): Promise<{ hash: ContentHash; narSize: number }> {
  const h = createHash('sha256');
  const { narSize } = await dumpPath(path, (chunk) => h.update(chunk));
  return { hash: contentHashFromDigest(h.digest()), narSize };
}
