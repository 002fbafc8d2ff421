/**
 * The characters of the name language, for the scanner (lexer.ts) and the
 * printer (print.ts), which must agree exactly: what ends an identifier, an
 * unquoted value, a path or a URL, and so how a string value may be written
 * to scan back the same. ASCII is classified once into a table of bits
 * (`CLASS`), which the scanner's char-code loops read (lexer.ts, "Speed").
 */

// Character classes of ASCII, as bits.
export const LETTER = 1; // A-Z a-z
export const IDENT_REST = 2; // letters, 0-9 _ ' -
export const NAME_ID_REST = 4; // IDENT_REST and +
export const UNQUOTED_CHAR = 8; // A-Z a-z 0-9 _ . + ~ % @ ' -
export const SCHEME_REST = 16; // A-Z a-z 0-9 + . -
export const STOPS_URL = 32; // & , ( ) ] ASCII whitespace and control characters: where a URL value ends
export const STOPS_PATH = 64; // those and ; : where a path value ends

export const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = 0;
  if (/[A-Za-z]/.test(ch)) k |= LETTER | SCHEME_REST;
  if (/[A-Za-z0-9_'-]/.test(ch)) k |= IDENT_REST | NAME_ID_REST;
  if (ch === '+') k |= NAME_ID_REST;
  if (/[A-Za-z0-9_.+~%@'-]/.test(ch)) k |= UNQUOTED_CHAR;
  if (/[0-9+.-]/.test(ch)) k |= SCHEME_REST;
  // Control characters too, so that canonical text never holds one raw (the printer quotes them as JSON escapes).
  if (/[&,()\]\s\x00-\x1f]/.test(ch)) k |= STOPS_URL | STOPS_PATH;
  // `;` ends a declaration of a let, `:` a value in a namespace id's parameters (`ns?root=/srv:x`).
  if (ch === ';' || ch === ':') k |= STOPS_PATH;
  CLASS[c] = k;
}

/** Identifiers (input and output names, parameter keys, variables): a letter, then letters, digits, `_`, `'`, `-`. */
export const IDENTIFIER = /^[\p{L}][\p{L}0-9_'-]*$/u;
/** Name ids and namespace ids: identifiers that may also hold `+` after the first letter (`c++-project`, `g++`). */
export const NAME_IDENTIFIER = /^[\p{L}][\p{L}0-9_'+-]*$/u;
/** Characters past ASCII that end a URL or path value: the rest of `\s`. */
export const NON_ASCII_SPACE = /\s/;

/**
 * How the printer may write a string value so that it scans back the same:
 * `'plain'` (`[A-Za-z0-9_.+~%@'-]+`), `'path'` or `'url'` (unquoted, see
 * `bareValue`), or `'quoted'`.
 */
export function valueForm(v: string): 'plain' | 'path' | 'url' | 'quoted' {
  const n = v.length;
  if (n === 0) return 'quoted';
  let i = 0;
  while (i < n) {
    const c = v.charCodeAt(i);
    if (c < 128 && (CLASS[c]! & UNQUOTED_CHAR)) i++;
    else break;
  }
  if (i === n) return 'plain';
  let body: number;
  let stops: number;
  if (pathStart(v, 0)) {
    body = 1;
    stops = STOPS_PATH;
  } else if (v.charCodeAt(i) === 58 /* : */ && v.charCodeAt(i + 1) === 47 && v.charCodeAt(i + 2) === 47 && isScheme(v, 0, i)) {
    body = i + 3;
    stops = STOPS_URL;
  } else {
    return 'quoted';
  }
  for (let j = body; j < n; j++) if (stopsAt(v, j, stops)) return 'quoted';
  return stops === STOPS_PATH ? 'path' : 'url';
}

/** Whether `following`, written right after a plain value, would be scanned as part of it. */
export function continuesPlain(following: string): boolean {
  const c = following.charCodeAt(0);
  return c < 128 && (CLASS[c]! & UNQUOTED_CHAR) !== 0;
}

/** Whether `following`, written right after a path value, would be scanned as part of it. */
export function continuesPath(following: string): boolean {
  return !stopsAt(following, 0, STOPS_PATH);
}

/** Whether `following`, written right after a URL value, would be scanned as part of it. */
export function continuesUrl(following: string): boolean {
  return !stopsAt(following, 0, STOPS_URL);
}

/** Whether the character at `i` of `t` ends a URL (`stops` = STOPS_URL) or path (STOPS_PATH) value, or `t` ends there. */
export function stopsAt(t: string, i: number, stops: number): boolean {
  if (i >= t.length) return true;
  const c = t.charCodeAt(i);
  return c < 128 ? (CLASS[c]! & stops) !== 0 : NON_ASCII_SPACE.test(t[i]!);
}

/** Whether a path value starts at `i` of `t`: `/` (but not a comment's `/*`), `./`, `../` or `~/`. */
export function pathStart(t: string, i: number): boolean {
  const c = t.charCodeAt(i);
  if (c === 47 /* / */) return t.charCodeAt(i + 1) !== 42 /* * */;
  if (c === 46 /* . */) {
    const d = t.charCodeAt(i + 1);
    return d === 47 || (d === 46 && t.charCodeAt(i + 2) === 47);
  }
  return c === 126 /* ~ */ && t.charCodeAt(i + 1) === 47;
}

/** Whether `t[from, to)` is a URL scheme: a letter, then letters, digits, `+`, `.`, `-` (all unquoted-value characters). */
export function isScheme(t: string, from: number, to: number): boolean {
  if (!(CLASS[t.charCodeAt(from)]! & LETTER)) return false;
  for (let i = from + 1; i < to; i++) if (!(CLASS[t.charCodeAt(i)]! & SCHEME_REST)) return false;
  return true;
}
