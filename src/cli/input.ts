/** Reading the name a command works on: an argument, `-` for stdin, or a file. */
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { NomiaError } from '../errors.js';
import { maxNameLength } from '../name/limits.js';
import { sleepSync } from '../store/sleep-sync.js';
import { stdinFd } from './client-stdin.js';

export interface NameInput {
  readonly text: string;
  /** How to refer to the input in error locations: `<name>`, `<stdin>` or the file path. */
  readonly label: string;
  /**
   * The directory the name's relative paths are relative to, and its command runs as if in: a
   * file's own directory (symlinks followed) for `-f FILE`, as Nix takes a `.nix` file's paths
   * relative to the file; undefined for an argument, standard input or a pipe (the working directory).
   */
  readonly dir?: string;
}

/**
 * All of `fd` as UTF-8, refusing more than a name may hold (`maxNameLength`,
 * at most 3 UTF-8 bytes per UTF-16 unit): a huge input is an error before it
 * is held in memory, never an out-of-memory crash.
 */
function readCapped(fd: number, label: string): string {
  const limit = 3 * maxNameLength();
  // One buffer that doubles as it fills, like readFileSync: the input is held once as bytes, then once as text.
  // A regular file (`nomia parse - < name`) tells its size: one buffer a byte larger, so the end is seen without growing.
  let buf = Buffer.allocUnsafe(Math.min(fileSize(fd) + 1, limit + 1));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit + 1));
      buf.copy(bigger, 0, 0, total);
      buf = bigger;
    }
    let n: number;
    try {
      n = readSync(fd, buf, total, buf.length - total, null);
    } catch (e) {
      // A non-blocking stdin (set so by the parent) with nothing yet to read: wait a moment and retry.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleepSync(5);
      continue;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) {
      throw new NomiaError('syntax/too-large', `${label} holds more than ${(limit / 1e6).toFixed(0)} MB; a name may be at most ${(maxNameLength() / 1e6).toFixed(1)} M characters`, {
        hint: 'split it into smaller names, or give Node a larger heap: NODE_OPTIONS=--max-old-space-size=16384 (a name may be up to 1/128 of the heap)',
      });
    }
  }
  return buf.toString('utf8', 0, total);
}

/** The size of `fd` if it is a regular file, else a first guess for a pipe or terminal (64 KiB). */
function fileSize(fd: number): number {
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > 0) return st.size;
  } catch {
    // Not a file we can stat: read it as a stream.
  }
  return (1 << 16) - 1;
}

/** What reading standard input gave, kept: it can be read only once, and `nomia realize -` looks at it twice on a miss (cli/realize-lean.ts). */
let stdinRead: { readonly text: string } | { readonly error: unknown } | undefined;

/** All of standard input as text (read once per process; later calls give the same text or error). */
export function readStdin(): string {
  stdinRead ??= readStdinOnce();
  if ('error' in stdinRead) throw stdinRead.error;
  return stdinRead.text;
}

function readStdinOnce(): { readonly text: string } | { readonly error: unknown } {
  try {
    return { text: readCapped(stdinFd(), 'standard input') };
  } catch (e) {
    if (e instanceof NomiaError) return { error: e };
    return { error: new NomiaError('usage', `cannot read standard input: ${(e as Error).message}`, { hint: 'pass the name as an argument instead' }) };
  }
}

/**
 * What `-f FILE` gave, per path, kept: a pipe (`-f <(…)`) can be read only once, and a miss of the lean
 * path (cli/realize-lean.ts) reads the input again in the full command, which must see the same text.
 */
const filesRead = new Map<string, { readonly input: NameInput } | { readonly error: unknown }>();

/** The name kept in the file at `path` (read once per process; later calls give the same name or error). */
export function readFileInput(path: string): NameInput {
  let read = filesRead.get(path);
  if (!read) {
    try {
      read = { input: readFileOnce(path) };
    } catch (e) {
      read = { error: e };
    }
    filesRead.set(path, read);
  }
  if ('error' in read) throw read.error;
  return read.input;
}

function readFileOnce(path: string): NameInput {
  let fd: number;
  try {
    fd = openSync(path, 'r');
    try {
      // A pipe (`-f <(…)`, `-f /dev/stdin`) has no directory of its own: like standard input, it keeps the working one.
      const dir = fstatSync(fd).isFile() ? dirname(realpathSync(path)) : undefined;
      return { text: readCapped(fd, path), label: path, ...(dir === undefined ? {} : { dir }) };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof NomiaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new NomiaError('usage', `cannot read ${path}: ${why}`);
  }
}

/** The NAME argument: the name itself, or `-` to read it from stdin. */
export function nameArgument(arg: string | undefined): NameInput {
  if (arg === undefined && process.stdin.isTTY) {
    throw new NomiaError('usage', 'missing NAME', { hint: 'pass the name as an argument, or `-` to read it from standard input' });
  }
  if (arg === undefined || arg === '-') return { text: readStdin(), label: '<stdin>' };
  return { text: arg, label: '<name>' };
}

/** The name from `-f FILE` (`-` for stdin) or else the NAME argument; both at once is a usage error. */
export function fileOrArgument(file: string | undefined, arg: string | undefined): NameInput {
  if (file === undefined) return nameArgument(arg);
  if (arg !== undefined) throw new NomiaError('usage', `give the name either as an argument or with -f ${file}, not both`, { hint: 'drop the NAME argument, or the -f option' });
  return file === '-' ? { text: readStdin(), label: '<stdin>' } : readFileInput(file);
}
