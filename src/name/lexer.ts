/**
 * The scanner under the name parser. The name language is context-sensitive
 * at the character level (an unquoted value may start with a digit or `-`, a
 * URL or path value runs over `:` and `/`), so instead of a token stream the
 * parser asks the scanner for the token class it expects next.
 *
 * Trivia: whitespace and `/* … *\/` comments may stand between any two tokens
 * (DESIGN.md §2). Comments do not nest, as in the grammar's BNFC lexer.
 * Trivia is skipped as soon as a token is taken, so that `pos` is always
 * where the next token starts and looking at it is a plain read: the
 * parser looks at each position several times, and a trivia check at every
 * look cost a third of its time. An unterminated comment is not reported
 * when it is skipped but at the first error after it (see `error`): every
 * parse that runs into one ends in an error, and the error is the same as
 * if the comment had been reported when first looked at.
 *
 * Speed: names of many megabytes are parsed (issue 15: ≥ 20 MB/s end to
 * end), so tokens are scanned with char-code loops over a class table rather
 * than regular expressions, the scanner keeps only offsets (line and column
 * are computed when an error or a span asks, see `span.ts`), and non-ASCII
 * identifiers take a slower path through a Unicode regular expression.
 */
import { NomiaSyntaxError, type ErrorCode, type Span } from '../errors.js';
import { CLASS, IDENT_REST, isScheme, LETTER, NAME_ID_REST, pathStart, STOPS_PATH, STOPS_URL, stopsAt, UNQUOTED_CHAR } from './char-classes.js';
import { SourceSpan, SourceText } from './span.js';

const IDENT_STICKY = /[\p{L}][\p{L}0-9_'-]*/uy;
const NAME_ID_STICKY = /[\p{L}][\p{L}0-9_'+-]*/uy;

/** A saved scanner state. */
export interface Mark {
  readonly pos: number;
  readonly end: number;
  readonly unterminated: number;
}

export class Scanner {
  readonly text: string;
  readonly source: SourceText;
  /** Where the next token starts: trivia is already skipped. */
  pos = 0;
  // End of the last token taken, so a node's span excludes trailing trivia.
  private end = 0;
  // Where an unterminated comment starts when `pos` stands on it, else -1.
  private unterminated = -1;

  /** `spans: false` leaves nodes without spans: for a caller that prints nodes and drops them (`format.ts`). */
  constructor(text: string, private readonly spans = true) {
    this.text = text;
    this.source = new SourceText(text);
    this.skipTo(0);
  }

  /** The offset where the last token taken ends. */
  get lastEnd(): number {
    return this.end;
  }

  /** The span from the offset `start` to the end of the last token taken (`undefined` when spans are off). */
  spanFrom(start: number): SourceSpan | undefined {
    return this.spans ? new SourceSpan(this.source, start, this.end) : undefined;
  }

  /** A span over `[start, end)`. */
  span(start: number, end: number): SourceSpan {
    return new SourceSpan(this.source, start, end);
  }

  /** Save and restore, for the places the parser looks ahead past a token. */
  mark(): Mark {
    return { pos: this.pos, end: this.end, unterminated: this.unterminated };
  }
  reset(m: Mark): void {
    this.pos = m.pos;
    this.end = m.end;
    this.unterminated = m.unterminated;
  }

  /**
   * Look ahead without moving: whether `identifier` then `=` (not `=>`)
   * comes next, i.e. a bound declaration. Cheaper than mark and reset.
   */
  atBinder(): boolean {
    const after = this.identEnd(this.pos, false);
    if (after < 0) return false;
    const i = this.skipTriviaFrom(after);
    return this.text.charCodeAt(i) === 61 /* = */ && this.text.charCodeAt(i + 1) !== 62 /* > */;
  }

  /**
   * Look ahead without moving, for ambiguity 1: after `x :`, a `$`, `@` or
   * `(` makes `x` a formal input; a plain name id followed by another `:`
   * too. Returns `'formal'`, `'positional'`, or `'unsure'` when a parameter
   * list stands in the way and the parser must try it.
   */
  formalAhead(): 'formal' | 'positional' | 'unsure' {
    const after = this.identEnd(this.pos, false);
    if (after < 0) return 'positional';
    let i = this.skipTriviaFrom(after);
    if (this.text.charCodeAt(i) !== 58 /* : */) return 'positional';
    i = this.skipTriviaFrom(i + 1);
    const c = this.text.charCodeAt(i);
    // `x: ./file` is meant as a binding; the path then gets its own error.
    if (c === 36 /* $ */ || c === 64 /* @ */ || c === 40 /* ( */ || pathStart(this.text, i)) return 'formal';
    const idEnd = this.identEnd(i, true);
    if (idEnd < 0) return 'positional';
    i = this.skipTriviaFrom(idEnd);
    const d = this.text.charCodeAt(i);
    if (d === 58 /* : */) return 'formal';
    return d === 63 /* ? */ ? 'unsure' : 'positional';
  }

  /** The index after whitespace and comments from `i`; an unterminated comment stops there (the real scan reports it). */
  private skipTriviaFrom(i: number): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 10) i++;
      else if (c === 47 && t.charCodeAt(i + 1) === 42) {
        const close = t.indexOf('*/', i + 2);
        if (close < 0) return i;
        i = close + 2;
      } else return i;
    }
  }

  /**
   * A syntax error at `at` (by default the character at the cursor) — or, if
   * the cursor stands on an unterminated comment, the error for that
   * comment: it is what a scanner that skipped trivia only when looking
   * would have reported first.
   */
  error(code: ErrorCode, message: string, at?: Span, hint?: string): NomiaSyntaxError {
    if (this.unterminated >= 0) {
      return this.errorHere('syntax/unterminated-comment', 'unterminated comment: `/*` has no closing `*/`',
        this.span(this.unterminated, this.unterminated + 2), 'close the comment with `*/`');
    }
    return this.errorHere(code, message, at, hint);
  }

  /** `error` that ignores a pending unterminated comment: for an error about the token just taken, before anything after it is looked at. */
  errorHere(code: ErrorCode, message: string, at?: Span, hint?: string): NomiaSyntaxError {
    const span = at ?? this.span(this.pos, Math.min(this.pos + 1, this.text.length));
    return new NomiaSyntaxError(code, message, span, this.text, hint);
  }

  /** Take the token ending at `to`: the cursor moves past it and the trivia after it. */
  private took(to: number): void {
    this.end = to;
    const c = this.text.charCodeAt(to);
    if (c === 32 || c === 47 || c === 10 || c === 9 || c === 13) this.skipTo(to);
    else this.pos = to;
  }

  /** Move the cursor to `i`, then past whitespace and comments; it stops on an unterminated comment and notes it. */
  private skipTo(i: number): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        i++;
      } else if (c === 47 /* / */ && t.charCodeAt(i + 1) === 42 /* * */) {
        const close = t.indexOf('*/', i + 2);
        if (close < 0) {
          this.unterminated = i;
          break;
        }
        i = close + 2;
      } else {
        break;
      }
    }
    this.pos = i;
  }

  /**
   * The path value (`/…`, `./…`, `../…`, `~/…`) that comes next, or
   * `undefined`. Does not consume. Only for the error a path gets where a
   * name belongs: users type `f(in: ./x)` meaning the file.
   */
  pathAhead(): string | undefined {
    if (!pathStart(this.text, this.pos)) return undefined;
    return this.text.slice(this.pos, this.greedyEnd(this.pos + 1, STOPS_PATH));
  }

  /** The next character code, or NaN at the end. Does not consume. */
  peekCode(): number {
    return this.text.charCodeAt(this.pos);
  }

  /** The next character, or `''` at the end. Does not consume. */
  peek(): string {
    return this.text[this.pos] ?? '';
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Consume the one character `code` if it comes next. */
  eatCode(code: number): boolean {
    if (this.text.charCodeAt(this.pos) !== code) return false;
    this.took(this.pos + 1);
    return true;
  }

  /** Consume `s` if it comes next. */
  eat(s: string): boolean {
    if (this.text.startsWith(s, this.pos)) {
      this.took(this.pos + s.length);
      return true;
    }
    return false;
  }

  /** Describe what stands at the cursor, for "expected X, found Y" messages. */
  found(): string {
    if (this.pos >= this.text.length) return 'end of input';
    const m = /[^\s]{1,20}/y;
    m.lastIndex = this.pos;
    const word = m.exec(this.text)?.[0] ?? this.text[this.pos]!;
    return `\`${word}\``;
  }

  /**
   * Where an identifier starting at `i` ends, or -1 when none starts there.
   * `nameId` admits `+` after the first letter (name ids and namespace ids).
   */
  private identEnd(i: number, nameId: boolean): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c >= 128) return this.identEndUnicode(i, nameId);
    if (!(c < 128 && (CLASS[c]! & LETTER))) return -1;
    const rest = nameId ? NAME_ID_REST : IDENT_REST;
    let j = i + 1;
    for (;;) {
      const d = t.charCodeAt(j);
      if (d < 128 && (CLASS[d]! & rest)) j++;
      else if (d >= 128) return this.identEndUnicode(i, nameId);
      else return j;
    }
  }

  private identEndUnicode(i: number, nameId: boolean): number {
    const re = nameId ? NAME_ID_STICKY : IDENT_STICKY;
    re.lastIndex = i;
    return re.test(this.text) ? re.lastIndex : -1;
  }

  private takeIdent(nameId: boolean): string | undefined {
    const start = this.pos;
    const after = this.identEnd(start, nameId);
    if (after < 0) return undefined;
    this.took(after);
    return this.text.slice(start, after);
  }

  /** An identifier, or `undefined` without consuming anything. */
  ident(): string | undefined {
    return this.takeIdent(false);
  }

  /** A name id or namespace id (an identifier that may hold `+`), or `undefined` without consuming anything. */
  nameId(): string | undefined {
    return this.takeIdent(true);
  }

  /** Whether an identifier equal to `word` comes next (a keyword check). */
  atWord(word: string): boolean {
    return this.text.startsWith(word, this.pos) && this.identEnd(this.pos, true) === this.pos + word.length;
  }

  /** A run of unquoted-value characters (a projection segment), or `undefined`. */
  unquoted(): string | undefined {
    const start = this.pos;
    const j = this.unquotedEnd(start);
    if (j === start) return undefined;
    this.took(j);
    return this.text.slice(start, j);
  }

  private unquotedEnd(i: number): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c < 128 && (CLASS[c]! & UNQUOTED_CHAR)) i++;
      else return i;
    }
  }

  /**
   * An unquoted parameter value, or `undefined`: a URL (`scheme://…`)
   * running to the next `&`, `,`, `(`, `)`, `]`, whitespace or end; a path
   * (`/…`, `./…`, `../…`, `~/…`) running to those, `;` (which separates
   * declarations: `let a = f?p=./x; …`) or `:` (which ends a namespace id's
   * parameters: `ns?root=/srv:x`); otherwise a run of
   * `[A-Za-z0-9_.+~%@'-]`, which a `/` ends.
   */
  bareValue(): string | undefined {
    const t = this.text;
    const start = this.pos;
    let j: number;
    if (pathStart(t, start)) {
      j = this.greedyEnd(start + 1, STOPS_PATH);
    } else {
      j = this.unquotedEnd(start);
      if (j === start) return undefined;
      if (t.charCodeAt(j) === 58 /* : */ && t.charCodeAt(j + 1) === 47 && t.charCodeAt(j + 2) === 47 && isScheme(t, start, j)) {
        j = this.greedyEnd(j + 3, STOPS_URL);
      }
    }
    this.took(j);
    return t.slice(start, j);
  }

  private greedyEnd(i: number, stops: number): number {
    while (!stopsAt(this.text, i, stops)) i++;
    return i;
  }


  /** A `"…"` string with JSON escapes, or `undefined` if no `"` comes next. */
  quoted(): string | undefined {
    const t = this.text;
    if (t.charCodeAt(this.pos) !== 34) return undefined;
    const open = this.pos;
    let i = this.pos + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (i >= t.length || c === 10 || c === 13) {
        throw this.error('syntax/unterminated-string', 'unterminated string: the `"` opened here is never closed',
          this.span(open, open + 1), 'close the string with `"` on the same line; write a newline inside it as \\n');
      }
      if (c === 34) break;
      if (c < 32) {
        this.pos = i;
        throw this.error('syntax', 'control character inside a string', undefined, 'write it as a JSON escape such as \\t or \\u0001');
      }
      if (c === 92) {
        out += t.slice(runStart, i);
        const e = t[i + 1];
        const simple = ESCAPES[e ?? ''];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          this.pos = i;
          throw this.error('syntax', `invalid escape \`\\${e ?? ''}\` in string`, undefined,
            'use a JSON escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
        }
        runStart = i;
        continue;
      }
      i++;
    }
    out += t.slice(runStart, i);
    this.took(i + 1);
    return out;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
