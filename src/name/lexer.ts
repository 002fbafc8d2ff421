/**
 * The scanner under the name parser. The name language is context-sensitive
 * at the character level (an unquoted value may start with a digit or `-`, a
 * URL value runs over `:` and `/`), so instead of a token stream the parser
 * asks the scanner for the token class it expects next.
 *
 * Trivia: whitespace and `/* … *\/` comments may stand between any two tokens
 * (DESIGN.md §2). Comments do not nest, as in the grammar's BNFC lexer.
 */
import { NomiaSyntaxError, type ErrorCode, type Position, type Span } from '../errors.js';

const IDENT = /[\p{L}][\p{L}0-9_'-]*/uy;
/** An unquoted non-URL value, and a projection segment. */
const UNQUOTED = /[A-Za-z0-9_.+~%@'-]+/y;
/** A URL value: `scheme://` up to `&`, `,`, `(`, `)`, `]`, whitespace or end. */
const URL = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^&,()\s\]]*/y;

/** Character tests the printer shares, so that what it leaves unquoted scans back the same. */
export const UNQUOTED_VALUE = /^[A-Za-z0-9_.+~%@'-]+$/;
export const URL_VALUE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^&,()\s\]]*$/;
export const IDENTIFIER = /^[\p{L}][\p{L}0-9_'-]*$/u;

/** A saved scanner state. */
export interface Mark {
  readonly pos: number;
  readonly line: number;
  readonly lineStart: number;
  readonly endOffset: number;
  readonly endLine: number;
  readonly endLineStart: number;
}

export class Scanner {
  readonly text: string;
  pos = 0;
  private line = 1;
  private lineStart = 0;
  // End of the last token taken, so a node's span excludes trailing trivia. Kept as numbers:
  // a Position object per token was most of the parser's garbage.
  private endOffset = 0;
  private endLine = 1;
  private endLineStart = 0;

  constructor(text: string) {
    this.text = text;
  }

  position(): Position {
    return { offset: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  /** Where the last token taken ends. */
  get lastEnd(): Position {
    return { offset: this.endOffset, line: this.endLine, column: this.endOffset - this.endLineStart + 1 };
  }

  spanFrom(start: Position): Span {
    return { start, end: this.lastEnd };
  }

  private took(): void {
    this.endOffset = this.pos;
    this.endLine = this.line;
    this.endLineStart = this.lineStart;
  }

  /** Save and restore, for the places the parser looks ahead past a token. */
  mark(): Mark {
    return { pos: this.pos, line: this.line, lineStart: this.lineStart, endOffset: this.endOffset, endLine: this.endLine, endLineStart: this.endLineStart };
  }
  reset(m: Mark): void {
    ({ pos: this.pos, line: this.line, lineStart: this.lineStart, endOffset: this.endOffset, endLine: this.endLine, endLineStart: this.endLineStart } = m);
  }

  /**
   * Look ahead without moving: whether `identifier` then `=` (not `=>`)
   * comes next, i.e. a bound declaration. Cheaper than mark and reset.
   */
  atBinder(): boolean {
    this.trivia();
    IDENT.lastIndex = this.pos;
    if (!IDENT.test(this.text)) return false;
    const i = this.skipTriviaFrom(IDENT.lastIndex);
    return this.text.charCodeAt(i) === 61 /* = */ && this.text.charCodeAt(i + 1) !== 62 /* > */;
  }

  /**
   * Look ahead without moving, for ambiguity 1: after `x :`, a `$`, `@` or
   * `(` makes `x` a formal input; a plain identifier followed by another `:`
   * too. Returns `'formal'`, `'positional'`, or `'unsure'` when a parameter
   * list stands in the way and the parser must try it.
   */
  formalAhead(): 'formal' | 'positional' | 'unsure' {
    this.trivia();
    IDENT.lastIndex = this.pos;
    if (!IDENT.test(this.text)) return 'positional';
    let i = this.skipTriviaFrom(IDENT.lastIndex);
    if (this.text.charCodeAt(i) !== 58 /* : */) return 'positional';
    i = this.skipTriviaFrom(i + 1);
    const c = this.text.charCodeAt(i);
    if (c === 36 /* $ */ || c === 64 /* @ */ || c === 40 /* ( */) return 'formal';
    IDENT.lastIndex = i;
    if (!IDENT.test(this.text)) return 'positional';
    i = this.skipTriviaFrom(IDENT.lastIndex);
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

  error(code: ErrorCode, message: string, at?: Span, hint?: string): NomiaSyntaxError {
    const start = this.position();
    const span = at ?? { start, end: { ...start, offset: Math.min(start.offset + 1, this.text.length), column: start.column + 1 } };
    return new NomiaSyntaxError(code, message, span, this.text, hint);
  }

  /** Skip whitespace and comments. */
  trivia(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 13) {
        this.pos++;
      } else if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 47 /* / */ && t.charCodeAt(this.pos + 1) === 42 /* * */) {
        const start = this.position();
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) {
          throw this.error('syntax/unterminated-comment', 'unterminated comment: `/*` has no closing `*/`',
            { start, end: { ...start, offset: start.offset + 2, column: start.column + 2 } },
            'close the comment with `*/`');
        }
        for (let i = this.pos; i < close; i++) {
          if (t.charCodeAt(i) === 10) {
            this.line++;
            this.lineStart = i + 1;
          }
        }
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  /** The next character after trivia, or `''` at the end. Does not consume. */
  peek(): string {
    this.trivia();
    return this.text[this.pos] ?? '';
  }

  atEnd(): boolean {
    return this.peek() === '';
  }

  /** Consume `s` if it comes next (after trivia). */
  eat(s: string): boolean {
    this.trivia();
    if (this.text.startsWith(s, this.pos)) {
      this.pos += s.length;
      this.took();
      return true;
    }
    return false;
  }

  /** Describe what stands at the cursor, for "expected X, found Y" messages. */
  found(): string {
    this.trivia();
    if (this.pos >= this.text.length) return 'end of input';
    const m = /[^\s]{1,20}/y;
    m.lastIndex = this.pos;
    const word = m.exec(this.text)?.[0] ?? this.text[this.pos]!;
    return `\`${word}\``;
  }

  private sticky(re: RegExp): string | undefined {
    this.trivia();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    this.took();
    return m[0];
  }

  /** An identifier, or `undefined` without consuming anything. */
  ident(): string | undefined {
    return this.sticky(IDENT);
  }

  /** Whether an identifier equal to `word` comes next (a keyword check). */
  atWord(word: string): boolean {
    this.trivia();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    return m?.[0] === word;
  }

  url(): string | undefined {
    return this.sticky(URL);
  }

  unquoted(): string | undefined {
    return this.sticky(UNQUOTED);
  }

  /** A `"…"` string with JSON escapes, or `undefined` if no `"` comes next. */
  quoted(): string | undefined {
    this.trivia();
    const t = this.text;
    if (t.charCodeAt(this.pos) !== 34) return undefined;
    const start = this.position();
    let i = this.pos + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (i >= t.length || c === 10 || c === 13) {
        throw this.error('syntax/unterminated-string', 'unterminated string: the `"` opened here is never closed',
          { start, end: { ...start, offset: start.offset + 1, column: start.column + 1 } },
          'close the string with `"` on the same line; write a newline inside it as \\n');
      }
      if (c === 34) break;
      if (c < 32) {
        this.pos = i;
        throw this.error('syntax', 'control character inside a string', undefined, 'write it as a JSON escape such as \\t or \\u0001');
      }
      if (c === 92) {
        out += t.slice(runStart, i);
        const e = t[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
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
    this.pos = i + 1;
    this.took();
    return out;
  }
}
