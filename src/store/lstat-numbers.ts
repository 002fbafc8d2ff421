/**
 * A path's `lstat` as plain numbers, exact to the nanosecond, for loops
 * over thousands of paths (the memo's no-op check, engine/memo-deps.ts).
 *
 * `fs.lstatSync` costs about three times the system call here: it
 * validates the path through a wrapper and builds a `Stats` object with four
 * `Date`s per call (Node 20; a `BigIntStats` costs more), and a millisecond
 * double cannot tell two nanosecond times apart. Node's own fs binding
 * returns the kernel's numbers in one shared `Float64Array`, seconds and
 * nanoseconds apart. It is not a public API, so it is used only on the Node
 * versions it was checked on (20.20 and later 20.x), without pending
 * deprecations (which would warn), and only after it answered
 * one path exactly as `lstatSync` does and a missing path with undefined;
 * anything else gets the same numbers from `lstatSync(…, { bigint: true })`.
 */
import { lstatSync } from 'node:fs';

/** Where each number sits in what `lstatNumbers` returns (the binding's order). */
export const DEV = 0;
export const MODE = 1;
export const INO = 7;
export const SIZE = 8;
export const MTIME_S = 12;
export const MTIME_NS = 13;
export const CTIME_S = 14;
export const CTIME_NS = 15;
const FIELDS = 18;

const NS_PER_S = 1_000_000_000n;

type Lstat = (path: string) => ArrayLike<number> | undefined;

/** `[seconds, nanoseconds]` of a time in ns, as the kernel gives them (nanoseconds always in [0, 1e9)). */
export function splitNs(ns: bigint): [number, number] {
  let s = ns / NS_PER_S;
  if (ns < 0n && s * NS_PER_S !== ns) s -= 1n;
  return [Number(s), Number(ns - s * NS_PER_S)];
}

const own = new Float64Array(FIELDS);

/** The public, slower way: the same numbers from a BigIntStats (exact while dev and ino are below 2^53). */
function viaStats(path: string): ArrayLike<number> | undefined {
  const s = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (!s) return undefined;
  own[DEV] = Number(s.dev);
  own[MODE] = Number(s.mode);
  own[INO] = Number(s.ino);
  own[SIZE] = Number(s.size);
  [own[MTIME_S], own[MTIME_NS]] = splitNs(s.mtimeNs);
  [own[CTIME_S], own[CTIME_NS]] = splitNs(s.ctimeNs);
  return own;
}

interface FsBinding {
  lstat(path: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean): unknown;
}

/** The binding's lstat, if this Node is one it was checked on and it answers as `lstatSync` does. */
function viaBinding(): Lstat | undefined {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major !== 20 || minor! < 20) return undefined;
  // `process.binding` warns under pending deprecations (a flag, or NODE_PENDING_DEPRECATION=1) and throws under the permission model.
  const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  if (flags.includes('deprecation') || flags.includes('permission') || process.env['NODE_PENDING_DEPRECATION'] === '1') return undefined;
  try {
    const b = (process as unknown as { binding(m: string): FsBinding }).binding('fs');
    const lstat: Lstat = (p) => b.lstat(p, false, undefined, false) as Float64Array | undefined;
    const probe = process.execPath;
    const got = lstat(probe);
    const want = viaStats(probe);
    if (!(got instanceof Float64Array) || got.length < FIELDS || !want) return undefined;
    for (const i of [DEV, MODE, INO, SIZE, MTIME_S, MTIME_NS, CTIME_S, CTIME_NS]) if (got[i] !== want[i]) return undefined;
    if (lstat(`${probe}.nomia-absent-${process.pid}`) !== undefined) return undefined;
    return lstat;
  } catch {
    return undefined;
  }
}

let chosen: Lstat | undefined;

/**
 * The numbers of `path`'s `lstat` (read them at once: the array is shared and overwritten by the next
 * call), or undefined when nothing is there. Throws as `lstatSync` does for any other failure.
 */
export function lstatNumbers(path: string): ArrayLike<number> | undefined {
  chosen ??= viaBinding() ?? viaStats;
  return chosen(path);
}
