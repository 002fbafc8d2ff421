/**
 * git's glob dialect ("wildmatch", as `man gitignore` describes it),
 * compiled to a regular expression.
 *
 * Patterns and texts are *byte strings*: each byte of the file name or of
 * the .gitignore line is one UTF-16 unit (latin1 decoding), because git
 * matches bytes — `?` is one byte, so it does not match `é` (two bytes in
 * UTF-8), and ranges compare byte values.
 *
 * The dialect, with WM_PATHNAME (patterns containing a slash):
 * - `?` one byte but `/`; `*` any run of bytes without `/`;
 * - `**` is special only as a whole path segment: a leading `**` followed
 *   by `/` (or `\/`), a `/**` at the end, or `/**` followed by `/`;
 *   `**` + `/` also matches zero segments (`a/** /b` matches `a/b`);
 *   elsewhere `**` is `*`;
 * - `[...]` one byte from a set: ranges `a-z` (by byte value), `[:class:]`
 *   (ASCII only, git's own ctype: `space` is tab, LF, CR and space), `!` or
 *   `^` first negates, `]` first is literal, `\` escapes; it never matches
 *   `/`. An unterminated set or an unknown class makes the whole pattern
 *   match nothing;
 * - `\x` is the byte x; a trailing lone `\` matches nothing.
 * Without WM_PATHNAME (patterns without a slash, matched against a base
 * name), `*` and `**` match any run and `?` any byte.
 */

/** A compiled pattern: a test, or undefined when the pattern can match nothing. */
export type Matcher = RegExp | undefined;

const ASCII_CLASSES: Readonly<Record<string, (c: number) => boolean>> = {
  alnum: (c) => isDigit(c) || isAlpha(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 0x09 || c === 0x20,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => isDigit(c),
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !isDigit(c) && !isAlpha(c),
  // git's ctype, not C's: vertical tab and form feed are not spaces (checked against git 2.39).
  space: (c) => c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20,
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const hex = (c: number) => `\\x${c.toString(16).padStart(2, '0')}`;

/** A byte as a regular-expression atom. */
function literal(c: number): string {
  return /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : hex(c);
}

/** A set of bytes as a character class; `(?!)` when empty. */
function byteClass(member: (c: number) => boolean): string {
  const parts: string[] = [];
  for (let c = 0; c < 256; c++) {
    if (!member(c)) continue;
    let end = c;
    while (end + 1 < 256 && member(end + 1)) end++;
    parts.push(end === c ? hex(c) : `${hex(c)}-${hex(end)}`);
    c = end;
  }
  return parts.length ? `[${parts.join('')}]` : '(?!)';
}

/**
 * Parse the set that starts after `[` at `start`. Returns the byte
 * predicate and the index after the closing `]`, or undefined when the set
 * is malformed (which makes the pattern match nothing).
 */
function parseSet(p: string, start: number): { member: (c: number) => boolean; end: number } | undefined {
  const set = new Uint8Array(256);
  let i = start;
  let negated = false;
  if (p[i] === '!' || p[i] === '^') {
    negated = true;
    i++;
  }
  // The byte a following `-` would start a range from; none after a range or a class.
  let prev = -1;
  for (let first = true; ; first = false) {
    if (i >= p.length) return undefined;
    const ch = p.charCodeAt(i);
    if (ch === 0x5d /* ] */ && !first) return { member: (c) => (set[c] === 1) !== negated, end: i + 1 };
    if (ch === 0x5c /* \ */) {
      if (i + 1 >= p.length) return undefined;
      prev = p.charCodeAt(i + 1);
      set[prev] = 1;
      i += 2;
    } else if (ch === 0x2d /* - */ && prev >= 0 && i + 1 < p.length && p[i + 1] !== ']') {
      let j = i + 1;
      if (p[j] === '\\') {
        j++;
        if (j >= p.length) return undefined;
      }
      const hi = p.charCodeAt(j);
      for (let c = prev; c <= hi; c++) set[c] = 1;
      prev = -1;
      i = j + 1;
    } else if (ch === 0x5b /* [ */ && p[i + 1] === ':') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) return undefined;
      if (close - 1 < i + 2 || p[close - 1] !== ':') {
        // Not `[:name:]`: the `[` is an ordinary member and the scan goes on after it.
        set[ch] = 1;
        prev = ch;
        i++;
        continue;
      }
      const test = ASCII_CLASSES[p.slice(i + 2, close - 1)];
      if (!test) return undefined;
      for (let c = 0; c < 128; c++) if (test(c)) set[c] = 1;
      prev = -1;
      i = close + 1;
    } else {
      set[ch] = 1;
      prev = ch;
      i++;
    }
  }
}

/**
 * Compile `pattern` (a byte string). `pathname`: the WM_PATHNAME rules
 * (wildcards do not cross `/`). The result is anchored at both ends.
 */
export function compileWildmatch(pattern: string, pathname: boolean): Matcher {
  const anyRun = '[^]*';
  let re = '';
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern.charCodeAt(i);
    if (ch === 0x5c /* \ */) {
      if (i + 1 >= pattern.length) return undefined;
      re += literal(pattern.charCodeAt(i + 1));
      i += 2;
    } else if (ch === 0x3f /* ? */) {
      re += pathname ? '[^/]' : '[^]';
      i++;
    } else if (ch === 0x5b /* [ */) {
      const set = parseSet(pattern, i + 1);
      if (!set) return undefined;
      re += byteClass(pathname ? (c) => c !== 0x2f && set.member(c) : set.member);
      i = set.end;
    } else if (ch === 0x2a /* * */) {
      let j = i;
      while (pattern[j] === '*') j++;
      if (!pathname) {
        re += anyRun;
      } else {
        const wholeSegment = j - i >= 2
          && (i === 0 || pattern[i - 1] === '/')
          && (j === pattern.length || pattern[j] === '/' || (pattern[j] === '\\' && pattern[j + 1] === '/'));
        if (!wholeSegment) re += '[^/]*';
        else if (pattern[j] === '/') {
          // `**/`: zero or more whole segments.
          re += `(?:${anyRun}/)?`;
          j++;
        } else re += anyRun;
      }
      i = j;
    } else {
      re += literal(ch);
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

/** Whether `text` matches a compiled pattern. */
export function wildmatch(m: Matcher, text: string): boolean {
  return m !== undefined && m.test(text);
}
