/**
 * Recursive-descent parser for the name language: `reference/name-grammar.cf`
 * plus DESIGN.md §2's extensions, with the grammar's two ambiguities decided
 * explicitly (see `docs/names.md`):
 *  1. in `f( … )`, `x:y` is the positional qualified name `x:y`; `x: y:z`,
 *     `x: $v`, `x: @r`, `x: (…)` bind the formal input `x`;
 *  2. `( … )` directly followed by `:` is a named namespace.
 *
 * Nesting is bounded (`MAX_DEPTH`) so that hostile input gets a syntax error,
 * never a stack overflow.
 */
import type { Position } from '../errors.js';
import { NomiaSyntaxError } from '../errors.js';
import {
  RESERVED_WORDS,
  type Arg, type AtomicName, type Declaration, type Expression, type Ident, type Name, type NameRef,
  type OutputRef, type Param, type ParameterizedId, type ParamValue, type Substitution,
} from './ast.js';
import { Scanner } from './lexer.js';

/** How deep names, input lists and value lists may nest. */
export const MAX_DEPTH = 256;

/** The outcome of a parse that does not throw. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: NomiaSyntaxError };

/** Parse a name. Throws `NomiaSyntaxError`. Accepts an optional `nomia://` prefix. */
export function parseName(text: string): Name {
  const p = new Parser(text);
  p.prefix();
  const name = p.name(0);
  p.end();
  return name;
}

/** Parse a name or a replacement `A => B`. Throws `NomiaSyntaxError`. */
export function parseExpression(text: string): Expression {
  const p = new Parser(text);
  p.prefix();
  const start = p.s.position();
  const from = p.name(0);
  if (p.s.eat('=>')) {
    p.prefix();
    const to = p.name(0);
    p.end();
    return { kind: 'Replacement', from, to, span: p.s.spanFrom(start) };
  }
  p.end();
  return from;
}

/** `parseName` that returns the error as a value instead of throwing. */
export function tryParseName(text: string): ParseResult<Name> {
  try {
    return { ok: true, value: parseName(text) };
  } catch (e) {
    if (e instanceof NomiaSyntaxError) return { ok: false, error: e };
    throw e;
  }
}

class Parser {
  readonly s: Scanner;

  constructor(text: string) {
    this.s = new Scanner(text);
  }

  prefix(): void {
    this.s.eat('nomia://');
  }

  end(): void {
    if (this.s.atEnd()) return;
    if (this.s.peek() === ')') {
      throw this.s.error('syntax/unbalanced', 'unexpected `)` with no matching `(`', undefined, 'remove the `)` or add the `(` it closes');
    }
    throw this.s.error('syntax', `expected end of name, found ${this.s.found()}`);
  }

  private deeper(depth: number): number {
    if (depth + 1 > MAX_DEPTH) {
      throw this.s.error('syntax/too-deep', `the name nests deeper than ${MAX_DEPTH} levels`, undefined,
        'flatten it with `let` or `compose` declarations');
    }
    return depth + 1;
  }

  private identifier(what: string): Ident {
    const begin = this.begin();
    const name = this.s.ident();
    if (name === undefined) throw this.s.error('syntax', `expected ${what}, found ${this.s.found()}`);
    return { kind: 'Ident', name, span: this.s.spanFrom(begin) };
  }

  /** An identifier used as a name id, namespace id or binder: keywords are refused. */
  private nameIdentifier(what: string): Ident {
    const id = this.identifier(what);
    if (RESERVED_WORDS.has(id.name)) {
      throw new NomiaSyntaxError('syntax/reserved', `\`${id.name}\` is a keyword and cannot be used as ${what}`,
        id.span!, this.s.text, 'choose another identifier');
    }
    return id;
  }

  private begin(): Position {
    this.s.trivia();
    return this.s.position();
  }

  name(depth: number): Name {
    const start = this.begin();
    if (this.s.atWord('let')) {
      this.s.ident();
      const declarations = this.declarations(depth, 'let');
      if (!this.s.atWord('in')) {
        throw this.s.error('syntax', `expected \`;\` or \`in\` after a declaration of \`let\`, found ${this.s.found()}`);
      }
      this.s.ident();
      const body = this.outputRef(depth);
      return { kind: 'LetIn', declarations, body, span: this.s.spanFrom(start) };
    }
    if (this.s.atWord('compose')) {
      this.s.ident();
      const declarations = this.declarations(depth, 'compose');
      return { kind: 'Compose', declarations, span: this.s.spanFrom(start) };
    }
    const body = this.outputRef(depth);
    return { kind: 'Tree', body, span: this.s.spanFrom(start) };
  }

  private declarations(depth: number, form: string): Declaration[] {
    const out: Declaration[] = [];
    do {
      if (this.s.atEnd() || (form === 'let' && this.s.atWord('in'))) {
        throw this.s.error('syntax', `expected a declaration in \`${form}\`, found ${this.s.found()}`, undefined,
          `\`${form}\` needs at least one declaration \`x = name\` or \`name\`, separated by \`;\` (no trailing \`;\`)`);
      }
      out.push(this.declaration(depth));
    } while (this.s.eat(';'));
    return out;
  }

  private declaration(depth: number): Declaration {
    const start = this.begin();
    if (this.s.atBinder()) {
      const binder = this.nameIdentifier('a variable name');
      this.s.eat('=');
      const value = this.substitution(depth);
      return { kind: 'Declaration', binder, value, span: this.s.spanFrom(start) };
    }
    const value = this.substitution(depth);
    return { kind: 'Declaration', value, span: this.s.spanFrom(start) };
  }

  substitution(depth: number): Substitution {
    const start = this.begin();
    const ref = this.nameRef(depth);
    if (this.s.peek() !== '(') return { kind: 'Substitution', ref, span: this.s.spanFrom(start) };
    const open = this.s.position();
    this.s.eat('(');
    const inner = this.deeper(depth);
    if (this.s.peek() === ')') {
      throw this.s.error('syntax', 'empty input list `()`', { start: open, end: this.s.position() },
        'give at least one input, or remove the parentheses for a name without inputs');
    }
    const args: Arg[] = [];
    do {
      this.unclosed(open);
      args.push(this.arg(inner));
    } while (this.s.eat(','));
    this.close(open, '`,` or `)`');
    return { kind: 'Substitution', ref, args, span: this.s.spanFrom(start) };
  }

  /** At the end of input inside `( … )`: report the unclosed parenthesis rather than a missing name. */
  private unclosed(open: Position): void {
    if (!this.s.atEnd()) return;
    throw this.s.error('syntax/unbalanced', `unbalanced parentheses: the \`(\` at ${open.line}:${open.column} is never closed`,
      undefined, 'add the missing `)`');
  }

  private close(open: Position, expected: string): void {
    if (this.s.eat(')')) return;
    const code = this.s.atEnd() ? 'syntax/unbalanced' : 'syntax';
    throw this.s.error(code, `expected ${expected} to close the \`(\` at ${open.line}:${open.column}, found ${this.s.found()}`);
  }

  private arg(depth: number): Arg {
    const start = this.begin();
    const ahead = this.s.formalAhead();
    let formalArg = ahead === 'formal';
    if (ahead === 'unsure') {
      const m = this.s.mark();
      this.s.ident();
      formalArg = this.isFormal();
      this.s.reset(m);
    }
    if (formalArg) {
      const formal = this.identifier('an input name');
      this.s.eat(':');
      const value = this.outputRef(depth);
      return { kind: 'Arg', formal, value, span: this.s.spanFrom(start) };
    }
    const value = this.outputRef(depth);
    return { kind: 'Arg', value, span: this.s.spanFrom(start) };
  }

  /** At `x` `:` — decide ambiguity 1: formal binding, or positional `x:y`? Leaves the cursor anywhere. */
  private isFormal(): boolean {
    this.s.eat(':');
    const c = this.s.peek();
    if (c === '$' || c === '@' || c === '(') return true;
    if (this.s.ident() === undefined) return false;
    if (this.s.peek() === '?') {
      try {
        this.s.eat('?');
        this.params(0);
      } catch {
        return false;
      }
    }
    return this.s.peek() === ':';
  }

  outputRef(depth: number): OutputRef {
    const start = this.begin();
    const name = this.substitution(depth);
    let output: Ident | undefined;
    if (this.s.eat('.')) output = this.identifier('an output name after `.`');
    let projection: string[] | undefined;
    if (this.s.peek() === '/') {
      this.s.eat('/');
      this.s.eat('/');
      projection = [];
      do projection.push(this.segment());
      while (this.atSlash() && this.s.eat('/'));
    }
    return {
      kind: 'OutputRef', name,
      ...(output ? { output } : {}),
      ...(projection ? { projection } : {}),
      span: this.s.spanFrom(start),
    };
  }

  private atSlash(): boolean {
    return this.s.peek() === '/';
  }

  private segment(): string {
    const start = this.begin();
    const seg = this.s.quoted() ?? this.s.unquoted();
    if (seg === undefined) throw this.s.error('syntax', `expected a path segment after \`/\`, found ${this.s.found()}`);
    if (seg === '' || seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\0')) {
      throw new NomiaSyntaxError('syntax', `invalid projection segment ${JSON.stringify(seg)}`, this.s.spanFrom(start), this.s.text,
        'a projection names a path inside an output: no empty, `.` or `..` segments, no `/` or NUL inside one');
    }
    return seg;
  }

  private nameRef(depth: number): NameRef {
    const start = this.begin();
    const c = this.s.peek();
    if (c === '$') {
      this.s.eat('$');
      const id = this.nameIdentifier('a variable name after `$`');
      return { kind: 'Variable', id, span: this.s.spanFrom(start) };
    }
    if (c === '@') {
      this.s.eat('@');
      const id = this.nameIdentifier('a resolved-name variable after `@`');
      return { kind: 'Resolved', id, span: this.s.spanFrom(start) };
    }
    if (c === '(') {
      this.s.eat('(');
      this.unclosed(start);
      const inner = this.name(this.deeper(depth));
      this.close(start, '`)`');
      if (this.s.peek() === ':') {
        if (inner.kind !== 'Tree') {
          throw new NomiaSyntaxError('syntax', `a named namespace must be a single name, not a \`${inner.kind === 'LetIn' ? 'let' : 'compose'}\``,
            this.s.spanFrom(start), this.s.text, 'wrap it in another pair of parentheses: `((let … in …)):name`');
        }
        this.s.eat(':');
        const nsSpan = { start, end: inner.span!.end };
        const id = this.parameterizedId(depth);
        return {
          kind: 'AtomicName',
          namespace: { kind: 'NamedNamespace', ref: inner.body, span: nsSpan },
          id, span: this.s.spanFrom(start),
        };
      }
      return { kind: 'Nested', name: inner, span: this.s.spanFrom(start) };
    }
    if (c === ')') throw this.s.error('syntax/unbalanced', 'unexpected `)` where a name was expected', undefined, 'remove the `)` or add the name it should follow');
    const first = this.parameterizedId(depth);
    if (this.s.peek() === ':') {
      this.s.eat(':');
      const id = this.parameterizedId(depth);
      const atom: AtomicName = {
        kind: 'AtomicName',
        namespace: { kind: 'BuiltinNamespace', id: first, ...(first.span ? { span: first.span } : {}) },
        id, span: this.s.spanFrom(start),
      };
      return atom;
    }
    return { kind: 'AtomicName', id: first, span: this.s.spanFrom(start) };
  }

  private parameterizedId(depth: number): ParameterizedId {
    const start = this.begin();
    if (this.s.atEnd()) throw this.s.error('syntax', 'expected a name, found end of input');
    const id = this.nameIdentifier('a name');
    if (this.s.peek() !== '?') return { kind: 'ParameterizedId', id, span: this.s.spanFrom(start) };
    this.s.eat('?');
    const params = this.params(depth);
    return { kind: 'ParameterizedId', id, params, span: this.s.spanFrom(start) };
  }

  private params(depth: number): Param[] {
    const params: Param[] = [];
    const seen = new Set<string>();
    do {
      const start = this.begin();
      const key = this.s.ident();
      if (key === undefined) {
        throw this.s.error('syntax', `expected a parameter \`key=value\`, found ${this.s.found()}`, undefined,
          '`?` and `&` must be followed by a parameter; drop the `?` for a name without parameters');
      }
      const keyIdent: Ident = { kind: 'Ident', name: key, span: this.s.spanFrom(start) };
      if (seen.has(key)) {
        throw new NomiaSyntaxError('syntax/duplicate', `parameter \`${key}\` is given twice`, keyIdent.span!, this.s.text, 'give each parameter once');
      }
      seen.add(key);
      if (!this.s.eat('=')) throw this.s.error('syntax', `expected \`=\` after parameter \`${key}\`, found ${this.s.found()}`);
      const value = this.value(depth);
      params.push({ kind: 'Param', key: keyIdent, value, span: this.s.spanFrom(start) });
    } while (this.s.eat('&'));
    return params;
  }

  private value(depth: number): ParamValue {
    const start = this.begin();
    const c = this.s.peek();
    if (c === '[') {
      this.s.eat('[');
      const inner = this.deeper(depth);
      const items: ParamValue[] = [];
      if (!this.s.eat(']')) {
        do items.push(this.value(inner));
        while (this.s.eat(','));
        if (!this.s.eat(']')) {
          throw this.s.error(this.s.atEnd() ? 'syntax/unbalanced' : 'syntax',
            `expected \`,\` or \`]\` to close the \`[\` at ${start.line}:${start.column}, found ${this.s.found()}`);
        }
      }
      return { kind: 'List', items, span: this.s.spanFrom(start) };
    }
    if (c === '$') {
      this.s.eat('$');
      const input = this.identifier('an input name after `$`');
      return { kind: 'InputRef', input, span: this.s.spanFrom(start) };
    }
    const v = this.s.quoted() ?? this.s.url() ?? this.s.unquoted();
    if (v === undefined) {
      throw this.s.error('syntax', `expected a value, found ${this.s.found()}`, undefined,
        'quote values with other characters than letters, digits and `_.+~%@\'-`: "like this"');
    }
    return { kind: 'String', value: v, span: this.s.spanFrom(start) };
  }
}
