/**
 * .gitignore files with git's semantics (`man gitignore`, checked against
 * git 2.39 by test/namespaces/filter-source.test.ts).
 *
 * Reading a file: a UTF-8 byte order mark at the start is skipped; lines
 * end at LF, a CR before it is dropped, a NUL byte cuts the line; empty lines and lines starting with
 * `#` are skipped; trailing spaces are trimmed unless escaped (`\ `), tabs
 * are kept; a leading `!` negates (`\!` and `\#` are literal). A trailing
 * `/` means "directories only" and is removed. A pattern with no other `/`
 * is matched against the base name at any depth below the file's
 * directory; one with a `/` (leading or in the middle) against the path
 * relative to that directory, with wildcards that do not cross `/`.
 *
 * Precedence: within a file the last matching line wins; a file deeper in
 * the tree wins over its parents'. Nothing matching means "not ignored".
 * The walk (filter.ts) never enters an ignored directory, so nothing below
 * it can be re-included and its .gitignore files are not read.
 *
 * All paths and patterns are byte strings (see wildmatch.ts).
 */
import { compileWildmatch, wildmatch, type Matcher } from './wildmatch.js';

export interface GitignorePattern {
  /** The line as written, after trimming (for messages). */
  readonly source: string;
  readonly negative: boolean;
  /** A trailing `/`: matches directories only (a symlink to a directory is not one). */
  readonly directoryOnly: boolean;
  /** No `/` besides a trailing one: matched against base names. */
  readonly baseNameOnly: boolean;
  readonly matcher: Matcher;
}

/** The patterns of one .gitignore file, which apply below `base`. */
export interface GitignoreFile {
  /** The directory holding the file, relative to the tree root: `''` or `a/b/`. */
  readonly base: string;
  readonly patterns: readonly GitignorePattern[];
}

/** Drop unescaped trailing spaces (spaces only, not tabs). */
function trimTrailingSpaces(line: string): string {
  let cut = -1;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === ' ') {
      if (cut < 0) cut = i;
    } else {
      cut = -1;
      // An escaped character is never trimmed, even a space; a lone `\` at the end keeps the line whole.
      if (ch === '\\' && ++i >= line.length) return line;
    }
  }
  return cut < 0 ? line : line.slice(0, cut);
}

/** One line (already trimmed) as a pattern. */
export function parsePattern(line: string): GitignorePattern {
  let body = line;
  const negative = body.startsWith('!');
  if (negative) body = body.slice(1);
  const directoryOnly = body.endsWith('/');
  if (directoryOnly) body = body.slice(0, -1);
  const baseNameOnly = !body.includes('/');
  // A leading slash anchors the pattern to the file's directory, which matching a relative path already does.
  const text = !baseNameOnly && body.startsWith('/') ? body.slice(1) : body;
  // An empty pattern (`/`, `!`, a line of spaces) matches nothing: base names are never empty.
  const matcher = text === '' ? undefined : compileWildmatch(text, !baseNameOnly);
  return { source: line, negative, directoryOnly, baseNameOnly, matcher };
}

/** Parse the contents of a .gitignore file (bytes as a latin1 string) found in directory `base`. */
export function parseGitignore(contents: string, base: string): GitignoreFile {
  const text = contents.startsWith('\xef\xbb\xbf') ? contents.slice(3) : contents;
  const patterns: GitignorePattern[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('#')) continue;
    const noCr = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // git reads a line as a C string: a NUL byte ends it.
    const nul = noCr.indexOf('\0');
    const line = trimTrailingSpaces(nul < 0 ? noCr : noCr.slice(0, nul));
    patterns.push(parsePattern(line));
  }
  return { base, patterns };
}

/** The pattern that decides `path` among one file's patterns (the last that matches), or undefined. */
function decidingPattern(file: GitignoreFile, path: string, baseName: string, isDirectory: boolean): GitignorePattern | undefined {
  const relative = path.slice(file.base.length);
  for (let i = file.patterns.length - 1; i >= 0; i--) {
    const p = file.patterns[i]!;
    if (p.directoryOnly && !isDirectory) continue;
    if (wildmatch(p.matcher, p.baseNameOnly ? baseName : relative)) return p;
  }
  return undefined;
}

/**
 * Whether `path` (relative to the tree root, no trailing slash) is ignored
 * by `files`, outermost first; each file's `base` must be a directory
 * above `path`.
 */
export function isIgnored(files: readonly GitignoreFile[], path: string, isDirectory: boolean): boolean {
  const baseName = path.slice(path.lastIndexOf('/') + 1);
  for (let i = files.length - 1; i >= 0; i--) {
    const p = decidingPattern(files[i]!, path, baseName, isDirectory);
    if (p) return !p.negative;
  }
  return false;
}
