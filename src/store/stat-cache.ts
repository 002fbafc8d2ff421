/**
 * The stat cache of imports (git's index, Bazel's file state): for each
 * imported path, its `lstat` when it was last read, and the NAR hash of
 * what was read. An import whose path still stats the same is answered
 * with one `lstat` per file and no read.
 *
 * What is compared: the path's device, inode, mode, size, mtime and ctime
 * (nanoseconds); for a directory also `listing`, one SHA-256 over the
 * sorted names of every entry below it and the same six numbers of each
 * entry that is not a directory. Any edit of a file changes its ctime (which
 * no one can set back, unlike mtime), a replacement by rename changes its
 * inode, `chmod +x` its mode, an added or removed entry the listing.
 *
 * The racy case (git's "racy git"): time stamps are coarse (a kernel tick,
 * a second on some file systems), so a file rewritten within the same
 * granule it was read in, keeping its size, stats the same. Before the stats
 * are taken the file system's own clock is read (`stamp`: the mtime of a
 * file written in the store's tmp/), and an entry is trusted only if every
 * file it covers has mtime and ctime in an earlier second than its stamp. A
 * change after the stats were taken gets a ctime in the stamp's second or
 * later, so it cannot look like the recorded one. A racy entry is re-read,
 * and recorded again with a newer stamp.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import type { StatRow } from './database.js';
import type { ContentHash } from './hash.js';
import { self } from './process.js';
import type { Store } from './store.js';

/**
 * A part of a directory tree a reader takes (the headers of an include
 * directory): the regular files whose name matches `files`, in the
 * directories below not named in `skip`; a directory below the top that
 * holds an entry named in `stopAt` (a nested build directory) counts only
 * by that mark. Plain data, so a dependency on it can be stored and stated
 * again (the engine's memo).
 */
export interface Selection {
  /** A regular expression's source, tested against each file's name. */
  readonly files: string;
  readonly skip: readonly string[];
  readonly stopAt: readonly string[];
  /** Directories below the top count by their names alone (their content is not taken). */
  readonly shallow?: boolean;
}

/** A path's stat state, taken before its content is read. */
export interface TreeState {
  readonly path: string;
  /**
   * The path's own `lstat`. With a `selection`, only its device, inode and mode count: the directory's
   * times and size change with every entry written in it, selected or not.
   */
  readonly root: BigIntStats;
  /** For a directory: the digest of every entry below (see above), or of those `selection` takes; undefined otherwise. */
  readonly listing: Buffer | undefined;
  /** The part of the directory the reader takes; absent: all of it. */
  readonly selection?: Selection;
  /** The newest mtime or ctime (ns) of any file or symlink covered; 0 for an empty directory. */
  readonly newestNs: bigint;
  /** The file system's clock (ns) read before the stats were taken. */
  readonly stampNs: bigint;
}

/** The hash a trusted entry gives. */
export interface CachedHash {
  readonly hash: ContentHash;
  readonly narSize: number;
}

const NS_PER_S = 1_000_000_000n;

const stamps = new WeakMap<Store, { ns: bigint; at: number }>();

/**
 * The file system's clock now, as the mtime of a file just written in tmp/
 * (the kernel's coarse clock, which is what stamps files, not the precise
 * one `Date.now()` reads). Undefined if it cannot be written (a read-only
 * store): the cache is then bypassed.
 */
export function fsClock(store: Store): bigint | undefined {
  const known = stamps.get(store);
  // Reused within the second it was read: an older stamp is only stricter, and writing one per import
  // would cost more than the lookup. A new second gets a new stamp, so racy entries settle quickly.
  if (known && Math.floor(Date.now() / 1000) === Math.floor(known.at / 1000)) return known.ns;
  const me = self();
  // Named like a work directory, so that gc removes it if we die before the unlink.
  const file = join(store.layout.tmpDir, `${me.pid}-${me.pidStart}-clock`);
  try {
    const at = Date.now();
    writeFileSync(file, '');
    const ns = lstatSync(file, { bigint: true }).mtimeNs;
    unlinkSync(file);
    stamps.set(store, { ns, at });
    return ns;
  } catch {
    return undefined;
  }
}

function childPath(dir: string | Buffer, name: Buffer): string | Buffer {
  if (typeof dir === 'string' && isUtf8(name)) return `${dir}/${name.toString()}`;
  return Buffer.concat([typeof dir === 'string' ? Buffer.from(dir) : dir, Buffer.from('/'), name]);
}

/** The listing's bytes, grown as needed and hashed once at the end (one update per entry costs more than the stats). */
class Listing {
  buf = Buffer.allocUnsafe(1 << 16);
  n = 0;

  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(grown, 0, 0, this.n);
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.n++] = b;
  }
}

const DIR_OPEN = 0x64; // 'd'
const DIR_CLOSE = 0x65; // 'e'
const DIR_STOP = 0x73; // 's': a directory a selection stops at

interface Compiled { readonly files: RegExp; readonly skip: ReadonlySet<string>; readonly stopAt: ReadonlySet<string>; readonly shallow: boolean }
const compile = (s: Selection): Compiled => ({ files: new RegExp(s.files), skip: new Set(s.skip), stopAt: new Set(s.stopAt), shallow: s.shallow === true });

/**
 * Walk a directory in NAR order (names sorted by bytes), appending each
 * entry: its name, length-prefixed, then either `d` … `e` around a
 * directory's entries or the six numbers of anything else. The encoding is
 * unambiguous, so two different trees never give the same bytes. Returns the
 * newest mtime or ctime of the non-directories.
 */
function walk(out: Listing, dir: string | Buffer, sel?: Compiled, top = true): bigint {
  let newest = 0n;
  // One read of the directory: with a selection, its entries' types (d_type) come with the names.
  const entries = sel ? readdirSync(dir, { encoding: 'buffer', withFileTypes: true }) : undefined;
  const names = (entries ? entries.map((d) => d.name as unknown as Buffer) : readdirSync(dir, { encoding: 'buffer' })).sort(Buffer.compare);
  const dirs = entries && new Set(entries.filter((d) => d.isDirectory()).map((d) => (d.name as unknown as Buffer).toString()));
  if (sel && !top && names.some((n) => sel.stopAt.has(n.toString()))) {
    out.byte(DIR_STOP);
    return newest;
  }
  for (const name of names) {
    // What a selection cannot take by its name and type (read with the listing, d_type) is not stat-ed at all.
    if (sel && !(dirs!.has(name.toString()) ? !sel.skip.has(name.toString()) : sel.files.test(name.toString()))) continue;
    const p = childPath(dir, name);
    const st = lstatSync(p, { bigint: true });
    if (sel && (st.isDirectory() ? sel.skip.has(name.toString()) : !st.isFile() || !sel.files.test(name.toString()))) continue;
    out.reserve(4 + name.length + 48);
    out.n = out.buf.writeUInt32LE(name.length, out.n);
    out.n += name.copy(out.buf, out.n);
    if (st.isDirectory() && sel?.shallow) {
      out.byte(DIR_STOP);
      continue;
    }
    if (st.isDirectory()) {
      out.byte(DIR_OPEN);
      const n = walk(out, p, sel, false);
      if (n > newest) newest = n;
      out.byte(DIR_CLOSE);
      continue;
    }
    const b = out.buf;
    let at = out.n;
    at = b.writeBigUInt64LE(st.dev, at);
    at = b.writeBigUInt64LE(st.ino, at);
    at = b.writeBigUInt64LE(st.mode, at);
    at = b.writeBigUInt64LE(st.size, at);
    at = b.writeBigInt64LE(st.mtimeNs, at);
    out.n = b.writeBigInt64LE(st.ctimeNs, at);
    const t = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
    if (t > newest) newest = t;
  }
  return newest;
}

/**
 * Stat `path` and everything below it (or the part `selection` takes), after reading the clock. Undefined
 * when the cache cannot be used (no clock, or the path cannot be walked:
 * the read that follows reports why).
 */
export function statTree(store: Store, path: string, selection?: Selection): TreeState | undefined {
  const stampNs = fsClock(store);
  if (stampNs === undefined) return undefined;
  const now = statNow(path, selection);
  return now && { ...now, stampNs };
}

/**
 * Stat `path` and everything below it as `statTree` does, without reading
 * the clock: for comparing with a state taken before (the engine's memo).
 * Undefined when the path cannot be walked (it is gone, or unreadable).
 */
export function statNow(path: string, selection?: Selection): Omit<TreeState, 'stampNs'> | undefined {
  try {
    const root = lstatSync(path, { bigint: true });
    if (!root.isDirectory()) return { path, root, listing: undefined, newestNs: root.mtimeNs > root.ctimeNs ? root.mtimeNs : root.ctimeNs, ...(selection ? { selection } : {}) };
    const out = new Listing();
    const newestNs = walk(out, path, selection && compile(selection));
    return { path, root, listing: createHash('sha256').update(out.buf.subarray(0, out.n)).digest(), newestNs, ...(selection ? { selection } : {}) };
  } catch {
    return undefined;
  }
}

/** Racy: something covered was stamped in the same second as the entry's clock, or later. */
export function racy(newestNs: bigint, stampNs: bigint): boolean {
  return newestNs / NS_PER_S >= stampNs / NS_PER_S;
}

/**
 * The entry a state is kept under: its path, or for a selection its path and the selection (another part
 * of the same directory is other content). gc prunes a selection's entry as a path that is gone; that
 * costs one read.
 */
function entryPath(state: TreeState): string {
  return state.selection ? `${state.path}\n${JSON.stringify(state.selection)}` : state.path;
}

/** The root's size and times, which a selection does not count (they change with entries it does not take). */
function own(state: TreeState): { size: bigint; mtimeNs: bigint; ctimeNs: bigint } {
  const st = state.root;
  return state.selection ? { size: 0n, mtimeNs: 0n, ctimeNs: 0n } : { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function sameStat(row: StatRow, state: TreeState): boolean {
  const st = state.root;
  const o = own(state);
  // The row keeps the bits of unsigned values; compare as unsigned 64-bit.
  return row.dev === BigInt.asUintN(64, st.dev) && row.ino === BigInt.asUintN(64, st.ino) && row.mode === st.mode &&
    row.size === o.size && row.mtimeNs === o.mtimeNs && row.ctimeNs === o.ctimeNs;
}

/** The hash the entry for `state` gives, if every number, the listing and the racy rule agree. */
export function lookupStat(store: Store, state: TreeState): CachedHash | undefined {
  const row = store.db.statEntry(entryPath(state));
  if (!row) return undefined;
  const sameListing = row.listing === undefined || state.listing === undefined
    ? row.listing === state.listing
    : row.listing.equals(state.listing);
  if (!sameStat(row, state) || !sameListing || racy(state.newestNs, row.stampNs)) return undefined;
  return { hash: row.hash, narSize: row.narSize };
}

/** Record that `state` was read as `hash`. `state` must have been taken before the read began. */
export function recordStat(store: Store, state: TreeState, read: CachedHash): void {
  const st = state.root;
  try {
    store.db.putStatEntry({
      path: entryPath(state), dev: st.dev, ino: st.ino, mode: st.mode, ...own(state),
      listing: state.listing, hash: read.hash, narSize: read.narSize, stampNs: state.stampNs,
    });
  } catch {
    // An entry that cannot be written (a locked or full database) costs the next import a read, nothing more.
  }
}
