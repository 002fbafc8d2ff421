/**
 * The lower half of the name parser (parse.ts): the scanner it reads, the
 * depth bound, identifiers, and a name id's parameters and their values
 * (strings, lists, `$input`), with the hints its errors carry. The grammar
 * of names above them (`let`, `compose`, substitutions, inputs, outputs,
 * projections) is `Parser` in parse.ts, which extends this class.
 */
import { NomiaSyntaxError } from '../errors.js';
import { isReservedWord, type Ident, type Param, type ParameterizedId, type ParamValue } from './ast.js';
import { Scanner } from './lexer.js';
import { maxNameLength } from './limits.js';

/** How deep names, input lists and value lists may nest. */
export const MAX_DEPTH = 256;

/** Refuse a text longer than `maxNameLength()` before any work is done on it. */
function checkLength(text: string): void {
  const max = maxNameLength();
  if (text.length <= max) return;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} M`;
  throw new NomiaSyntaxError('syntax/too-large', `the name is ${mb(text.length)} characters long; this process accepts at most ${mb(max)}`,
    { start: { offset: 0, line: 1, column: 1 }, end: { offset: 1, line: 1, column: 2 } }, text,
    'split it into smaller names, or give Node a larger heap: NODE_OPTIONS=--max-old-space-size=16384 (a name may be up to 1/128 of the heap)');
}

/** The scanner, identifiers, parameters and values of a name, for the grammar in parse.ts. */
export class ParserBase {
  readonly s: Scanner;
  /** Where the last unquoted parameter value ended, for `unquotedValue`'s hint. */
  protected bareEnd = -1;

  constructor(text: string, spans: boolean) {
    checkLength(text);
    this.s = new Scanner(text, spans);
  }

  /**
   * A hint when an unquoted value stopped right before a `=` or `:` it was
   * meant to hold: an SRI hash `sha256-…=` or a `sha256:…` hash pasted as is
   * parses as a value that ends early, and the error lands on what follows.
   */
  unquotedValue(): string | undefined {
    // At the `=`/`:` itself, or just past a `:` taken as the end of a namespace's parameters.
    if (this.bareEnd < 0 || (this.s.pos !== this.bareEnd && this.s.pos !== this.bareEnd + 1)) return undefined;
    const c = this.s.text.charCodeAt(this.bareEnd);
    if (c !== 61 /* = */ && c !== 58 /* : */) return undefined;
    return `quote a value that holds \`${String.fromCharCode(c)}\`, such as a hash with its prefix: sha256="sha256-…=" or sha256="sha256:…"`;
  }

  /**
   * A hint when the last token was a URL value that ran over a `;` meant to
   * separate declarations (`let a = f?u=https://x/y; b = …`): a URL runs to
   * whitespace, so the `;` became part of it. (A path stops at `;`.)
   */
  swallowedSemicolon(): string | undefined {
    const end = this.s.lastEnd;
    if (this.s.text.charCodeAt(end - 1) !== 59 /* ; */ || end === this.s.pos) return undefined;
    return 'a URL value runs over `;` up to whitespace: put a space before the `;` that ends the declaration, or quote the URL';
  }

  /**
   * One level deeper than `depth`, or the too-deep error. `opened`: the end
   * of the `(` or `[` just taken, when nothing after it was looked at yet;
   * the error points there, before the trivia after it.
   */
  protected deeper(depth: number, opened?: number): number {
    if (depth + 1 > MAX_DEPTH) {
      const message = `the name nests deeper than ${MAX_DEPTH} levels`;
      const hint = 'flatten it with `let` or `compose` declarations';
      if (opened === undefined) throw this.s.error('syntax/too-deep', message, undefined, hint);
      throw this.s.errorHere('syntax/too-deep', message, this.s.span(opened, Math.min(opened + 1, this.s.text.length)), hint);
    }
    return depth + 1;
  }

  /** An identifier; `nameId` admits `+` after the first letter (name ids and namespace ids). */
  protected identifier(what: string, nameId = false): Ident {
    const begin = this.begin();
    const name = nameId ? this.s.nameId() : this.s.ident();
    if (name === undefined) throw this.s.error('syntax', `expected ${what}, found ${this.s.found()}`, undefined, this.unquotedValue());
    return { kind: 'Ident', name, span: this.s.spanFrom(begin) };
  }

  /** An identifier used as a name id, namespace id or binder: keywords are refused. */
  protected nameIdentifier(what: string, nameId = false): Ident {
    const start = this.begin();
    const id = this.identifier(what, nameId);
    if (isReservedWord(id.name)) {
      throw new NomiaSyntaxError('syntax/reserved', `\`${id.name}\` is a keyword and cannot be used as ${what}`,
        this.s.span(start, this.s.lastEnd), this.s.text, 'choose another identifier');
    }
    return id;
  }

  /** The offset where the next token starts. */
  protected begin(): number {
    return this.s.pos;
  }

  /** `line:column` of an offset, for messages. */
  protected at(offset: number): string {
    const p = this.s.source.position(offset);
    return `${p.line}:${p.column}`;
  }

  protected parameterizedId(depth: number): ParameterizedId {
    const start = this.begin();
    if (this.s.atEnd()) throw this.s.error('syntax', 'expected a name, found end of input');
    const id = this.nameIdentifier('a name', true);
    if (this.s.peekCode() !== 63 /* ? */) return { kind: 'ParameterizedId', id, span: this.s.spanFrom(start) };
    this.s.eatCode(63);
    const params = this.params(depth);
    return { kind: 'ParameterizedId', id, params, span: this.s.spanFrom(start) };
  }

  protected params(depth: number): Param[] {
    const params: Param[] = [];
    const keys = new GivenNames(params, keyOf);
    do {
      const start = this.begin();
      const key = this.s.ident();
      if (key === undefined) {
        throw this.s.error('syntax', `expected a parameter \`key=value\`, found ${this.s.found()}`, undefined,
          '`?` and `&` must be followed by a parameter; drop the `?` for a name without parameters');
      }
      const keyIdent: Ident = { kind: 'Ident', name: key, span: this.s.spanFrom(start) };
      if (keys.has(key)) {
        throw new NomiaSyntaxError('syntax/duplicate', `parameter \`${key}\` is given twice`, this.s.span(start, this.s.lastEnd), this.s.text,
          'give each parameter once');
      }
      if (!this.s.eatCode(61 /* = */)) throw this.s.error('syntax', `expected \`=\` after parameter \`${key}\`, found ${this.s.found()}`);
      const value = this.value(depth);
      params.push({ kind: 'Param', key: keyIdent, value, span: this.s.spanFrom(start) });
    } while (this.s.eatCode(38 /* & */));
    return params;
  }

  protected value(depth: number): ParamValue {
    const start = this.begin();
    const c = this.s.peekCode();
    if (c === 91 /* [ */) {
      this.s.eatCode(91);
      const inner = this.deeper(depth, this.s.lastEnd);
      const items: ParamValue[] = [];
      if (!this.s.eatCode(93 /* ] */)) {
        do items.push(this.value(inner));
        while (this.s.eatCode(44 /* , */));
        if (!this.s.eatCode(93 /* ] */)) {
          throw this.s.error(this.s.atEnd() ? 'syntax/unbalanced' : 'syntax',
            `expected \`,\` or \`]\` to close the \`[\` at ${this.at(start)}, found ${this.s.found()}`, undefined, this.unquotedValue());
        }
      }
      return { kind: 'List', items, span: this.s.spanFrom(start) };
    }
    if (c === 36 /* $ */) {
      this.s.eatCode(36);
      const input = this.identifier('an input name after `$`');
      return { kind: 'InputRef', input, span: this.s.spanFrom(start) };
    }
    const v = c === 34 /* " */ ? this.s.quoted() : this.s.bareValue();
    if (c !== 34 && v !== undefined) this.bareEnd = this.s.lastEnd;
    if (v === undefined) {
      throw this.s.error('syntax', `expected a value, found ${this.s.found()}`, undefined,
        'quote values with other characters than letters, digits and `_.+~%@\'-` (paths `/…` `./…` `../…` `~/…` and URLs need no quotes): "like this"');
    }
    return { kind: 'String', value: v, span: this.s.spanFrom(start) };
  }
}

const keyOf = (p: Param): string => p.key.name;

/**
 * The names already given in a list being built (parameter keys, formal
 * inputs), read off the list itself: lists are short, and a scan costs less
 * than a second collection of names per list. Past 16 items a Set takes
 * over, so that a hostile list of a million stays linear.
 */
export class GivenNames<T> {
  private set: Set<string> | undefined;
  // How many items the Set holds the names of.
  private counted = 0;

  constructor(private readonly items: readonly T[], private readonly nameOf: (item: T) => string | undefined) {}

  /** Whether an item already in the list has `name`. */
  has(name: string): boolean {
    const items = this.items;
    if (items.length <= 16) {
      for (let i = 0; i < items.length; i++) if (this.nameOf(items[i]!) === name) return true;
      return false;
    }
    const set = (this.set ??= new Set());
    for (; this.counted < items.length; this.counted++) {
      const n = this.nameOf(items[this.counted]!);
      if (n !== undefined) set.add(n);
    }
    return set.has(name);
  }
}
