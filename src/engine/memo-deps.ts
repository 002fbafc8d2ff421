/**
 * The memo's dependencies as stored (docs/engine.md, "The memo"): one
 * buffer per memo, checked by the no-op with one `lstat` per file and no
 * parsing, no string, no BigInt and no `Stats` object per entry.
 *
 * A dependency is either **plain** (a file or symlink taken whole, not racy
 * when recorded) and kept as eight numbers — device, inode, mode, size, and
 * mtime and ctime each as seconds and nanoseconds, exactly as the kernel
 * gives them (store/lstat-numbers.ts reads them) — or kept as its exact key
 * (`statKey`: the same numbers as text, and a directory's listing), or ''
 * when it was racy (never matches). Device and inode numbers are exact as
 * doubles below 2^53; a dependency with a larger one keeps its exact key.
 *
 * Layout (little-endian): `nmd2`, the count `n`, the byte lengths of the
 * paths and of the rest (u32 each); `n` × 8 float64 (a plain dependency's
 * numbers, NaN first for any other); the `n` paths in UTF-8, each ended by
 * NUL; then JSON `[[index, key, selection?], …]` for the dependencies that
 * are not plain. The clock (a result that holds only until a time,
 * `RealizeContext.validUntil`) is an entry with the empty path, kept there
 * as `[index, null, until]`.
 */
import { CTIME_NS, CTIME_S, DEV, INO, lstatNumbers, MODE, MTIME_NS, MTIME_S, SIZE, splitNs } from '../store/lstat-numbers.js';
import { statNow, type Selection, type TreeState } from '../store/stat-cache.js';

/** The eight numbers of a plain dependency: dev, ino, mode, size, mtime (s, ns), ctime (s, ns). */
export type PlainKey = readonly [number, number, number, number, number, number, number, number];

/**
 * A dependency as stored: its path; its plain numbers, or its exact key (`statKey`), '' when it was
 * racy as recorded (then it never matches); and the selection when only part of a directory was taken.
 */
export type StoredDep = readonly [path: string, key: string | PlainKey, selection?: Selection] | Clock;

/** The clock as stored: the memo holds while `Date.now() < until` (epoch ms). */
export type Clock = readonly [path: null, until: number];

/** One entry of the JSON part: an exact key (or '' when racy) with its selection, or the clock's time. */
type Other = readonly [index: number, key: string, selection?: Selection] | readonly [index: number, key: null, until: number];

const MAGIC = 0x32646d6e; // 'nmd2'
const HEADER = 16;
/** Numbers per dependency. */
const W = 8;
const EXACT = 2 ** 53;

/**
 * The stat numbers that must not change (dev, ino, mode, size, mtime and ctime in ns) and a directory's
 * listing, as one string. For a selection the directory's own size and times are left out: they change
 * with every entry written in it, selected or not; the listing of the selected part says what counts.
 */
function statKey(s: Omit<TreeState, 'stampNs'>): string {
  const r = s.root;
  const key = s.selection ? `${r.dev} ${r.ino} ${r.mode}` : `${r.dev} ${r.ino} ${r.mode} ${r.size} ${r.mtimeNs} ${r.ctimeNs}`;
  return s.listing ? `${key} ${s.listing.toString('hex')}` : key;
}

/** `state` as stored: plain when it can be (above), else its exact key, or '' when racy (stat-cache.ts). */
export function storedDep(state: TreeState, racy: boolean): StoredDep {
  const r = state.root;
  if (!racy && !state.selection && !state.listing && r.dev < EXACT && r.ino < EXACT) {
    return [state.path, [Number(r.dev), Number(r.ino), Number(r.mode), Number(r.size), ...splitNs(r.mtimeNs), ...splitNs(r.ctimeNs)]];
  }
  const key = racy ? '' : statKey(state);
  return state.selection ? [state.path, key, state.selection] : [state.path, key];
}

/** Whether the path of `d` stats now as recorded, and was not racy when recorded. */
export function unchanged(d: StoredDep): boolean {
  if (d[0] === null) return Date.now() < d[1];
  const key = d[1];
  if (typeof key !== 'string') return plainUnchanged(d[0], key, 0);
  if (key === '') return false;
  const now = statNow(d[0], d[2]);
  return now !== undefined && statKey(now) === key;
}

function plainUnchanged(path: string, f: ArrayLike<number>, at: number): boolean {
  let s;
  try {
    s = lstatNumbers(path);
  } catch {
    // ENOTDIR, EACCES, ELOOP: not the file that was recorded.
    return false;
  }
  // ctime first: it is what any change moves.
  return s !== undefined && s[CTIME_NS] === f[at + 7] && s[CTIME_S] === f[at + 6] && s[INO] === f[at + 1] &&
    s[MTIME_NS] === f[at + 5] && s[MTIME_S] === f[at + 4] && s[SIZE] === f[at + 3] && s[MODE] === f[at + 2] && s[DEV] === f[at];
}

/** The buffer `deps` are stored as; undefined when a path cannot be (it holds NUL or is not well-formed UTF-16): then keep no memo. */
export function encodeDeps(deps: readonly StoredDep[]): Buffer | undefined {
  const n = deps.length;
  const nums = new Float64Array(W * n);
  const others: unknown[] = [];
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = deps[i]!;
    if (d[0] === null) {
      paths.push('');
      nums[W * i] = NaN;
      others.push([i, null, d[1]]);
      continue;
    }
    const [path, key, selection] = d;
    if (path === '' || path.includes('\0') || Buffer.from(path).toString() !== path) return undefined;
    paths.push(path);
    if (typeof key === 'string') {
      nums[W * i] = NaN;
      others.push(selection ? [i, key, selection] : [i, key]);
    } else {
      nums.set(key, W * i);
    }
  }
  const pathBytes = Buffer.from(paths.map((p) => `${p}\0`).join(''));
  const rest = Buffer.from(JSON.stringify(others));
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(n, 4);
  header.writeUInt32LE(pathBytes.length, 8);
  header.writeUInt32LE(rest.length, 12);
  return Buffer.concat([header, Buffer.from(nums.buffer), pathBytes, rest]);
}

/** A stored buffer taken apart; undefined when it is not one (an older memo's text: then no memo). */
interface Parts {
  readonly nums: Float64Array;
  readonly paths: readonly string[];
  readonly others: readonly Other[];
}

function parts(raw: unknown): Parts | undefined {
  if (!(raw instanceof Uint8Array) || raw.length < HEADER) return undefined;
  // The numbers are read in place when the buffer is 8-byte aligned (a blob of its own is), else from a copy.
  let buf = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  if (raw.byteOffset % 8 !== 0) {
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    buf = Buffer.from(copy.buffer);
  }
  if (buf.readUInt32LE(0) !== MAGIC) return undefined;
  const n = buf.readUInt32LE(4);
  const pathsAt = HEADER + 8 * W * n;
  const restAt = pathsAt + buf.readUInt32LE(8);
  if (restAt + buf.readUInt32LE(12) !== buf.length) return undefined;
  const paths = n === 0 ? [] : buf.toString('utf8', pathsAt, restAt - 1).split('\0');
  if (paths.length !== n) return undefined;
  const others = JSON.parse(buf.toString('utf8', restAt)) as Other[];
  return { nums: new Float64Array(buf.buffer, buf.byteOffset + HEADER, W * n), paths, others };
}

/** The dependencies of a stored buffer, one per entry in order; undefined when it is not one. */
export function decodeDeps(raw: unknown): StoredDep[] | undefined {
  const p = parts(raw);
  if (!p) return undefined;
  const deps: StoredDep[] = p.paths.map((path, i) => [path, Array.from(p.nums.subarray(W * i, W * i + W)) as unknown as PlainKey]);
  for (const o of p.others) deps[o[0]] = other(p.paths[o[0]]!, o);
  return deps;
}

function other(path: string, o: Other): StoredDep {
  if (o[1] === null) return [null, o[2]];
  return o[2] ? [path, o[1], o[2]] : [path, o[1]];
}

/** The paths of a stored buffer, unchecked (to watch them), and when its clock ends (earliest); undefined when it is not one. */
export function depPaths(raw: unknown): { readonly paths: readonly string[]; readonly until?: number } | undefined {
  const p = parts(raw);
  if (!p) return undefined;
  let until: number | undefined;
  for (const o of p.others) if (o[1] === null) until = Math.min(until ?? Infinity, o[2]);
  return until === undefined ? { paths: p.paths } : { paths: p.paths.filter((x) => x !== ''), until };
}

/**
 * Whether every dependency in the stored buffer `raw` stats now as recorded: the no-op's whole check.
 * The plain ones are compared number by number in place; false for anything that is not such a buffer.
 */
export function depsUnchanged(raw: unknown): boolean {
  return depsSame(raw, true)?.every((same) => same) ?? false;
}

/**
 * Per dependency of the stored buffer `raw`, in `decodeDeps` order: whether it stats now as recorded;
 * undefined when `raw` is not such a buffer. `firstChange`: stop at the first that does not (the
 * entries after it are then false, unchecked). A miss checked in full is passed on (engine/memo.ts,
 * `MemoMiss`) to the memo of nodes, which would otherwise stat every dependency again.
 */
export function depsSame(raw: unknown, firstChange = false): boolean[] | undefined {
  const p = parts(raw);
  if (!p) return undefined;
  const { nums, paths } = p;
  const same = paths.map(() => false);
  for (let i = 0; i < paths.length; i++) {
    if (nums[W * i] !== nums[W * i]) continue; // NaN: checked with the others below
    same[i] = plainUnchanged(paths[i]!, nums, W * i);
    if (!same[i] && firstChange) return same;
  }
  for (const o of p.others) {
    same[o[0]] = unchanged(other(paths[o[0]]!, o));
    if (!same[o[0]] && firstChange) return same;
  }
  return same;
}
