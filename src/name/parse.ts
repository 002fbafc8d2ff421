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
import { NomiaSyntaxError } from '../errors.js';
import type { Arg, AtomicName, Declaration, Expression, Ident, Name, NameRef, OutputRef, Substitution } from './ast.js';
import { GivenNames, ParserBase } from './parser-base.js';
import type { SourceSpan } from './span.js';

/**
 * Receives the top level of a name as it is parsed, so that a caller (the
 * streaming printer, `format.ts`) need not hold a large `compose`'s whole
 * AST: each top-level declaration is handed over and then dropped.
 */
export interface TopLevelSink {
  /** A top-level `let` or `compose` begins. */
  begin(form: 'let' | 'compose'): void;
  /** One declaration of the top-level `let` or `compose`, in written order. */
  declaration(d: Declaration): void;
  /** The `in` of a top-level `let`. */
  in(): void;
  /** The body of a top-level name (`Tree`) or `let`. */
  body(r: OutputRef): void;
  /** The `=>` of a replacement. */
  arrow(): void;
}

/**
 * The version of the text syntax: bumped whenever a text that parsed before
 * now means something else, so that whatever is keyed by a name's text (the
 * engine's text memos) is not reused across the change. 2: unquoted path
 * values (`f?a=./b` was the value `.` projected to `b`; it is the path `./b`).
 */
export const NAME_SYNTAX_VERSION = 2;

export { MAX_DEPTH } from './parser-base.js';

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
  const start = p.s.pos;
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

/**
 * Parse a name or replacement like `parseExpression`, handing its top level
 * to `sink` piece by piece instead of building the whole AST. Throws
 * `NomiaSyntaxError`; the sink may have received pieces before the error.
 */
export function parseExpressionInto(text: string, sink: TopLevelSink): void {
  // The sink prints nodes and drops them: they need no spans (errors compute theirs).
  const p = new Parser(text, sink, false);
  p.prefix();
  p.name(0);
  if (p.s.eat('=>')) {
    sink.arrow();
    p.prefix();
    p.name(0);
  }
  p.end();
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

/** The grammar of names (see above), over the identifiers, parameters and values of `ParserBase`. */
class Parser extends ParserBase {
  constructor(text: string, private readonly sink?: TopLevelSink, spans = true) {
    super(text, spans);
  }

  prefix(): void {
    this.s.eat('nomia://');
  }

  end(): void {
    if (this.s.atEnd()) return;
    if (this.s.peek() === ')') {
      throw this.s.error('syntax/unbalanced', 'unexpected `)` with no matching `(`', undefined, 'remove the `)` or add the `(` it closes');
    }
    throw this.s.error('syntax', `expected end of name, found ${this.s.found()}`, undefined, this.swallowedSemicolon() ?? this.unquotedValue());
  }

  name(depth: number): Name {
    const start = this.begin();
    if (this.s.atWord('let')) {
      this.s.ident();
      const declarations = this.declarations(depth, 'let');
      if (!this.s.atWord('in')) {
        throw this.s.error('syntax', `expected \`;\` or \`in\` after a declaration of \`let\`, found ${this.s.found()}`,
          undefined, this.swallowedSemicolon());
      }
      this.s.ident();
      if (depth === 0) this.sink?.in();
      const body = this.body(depth);
      return { kind: 'LetIn', declarations, body, span: this.s.spanFrom(start) };
    }
    if (this.s.atWord('compose')) {
      this.s.ident();
      const declarations = this.declarations(depth, 'compose');
      return { kind: 'Compose', declarations, span: this.s.spanFrom(start) };
    }
    const body = this.body(depth);
    return { kind: 'Tree', body, span: this.s.spanFrom(start) };
  }

  private body(depth: number): OutputRef {
    const body = this.outputRef(depth);
    if (depth === 0) this.sink?.body(body);
    return body;
  }

  /** With a sink, the top level's declarations go to it and the returned list stays empty (the AST is not kept). */
  private declarations(depth: number, form: 'let' | 'compose'): Declaration[] {
    const out: Declaration[] = [];
    const sink = depth === 0 ? this.sink : undefined;
    sink?.begin(form);
    do {
      if (this.s.atEnd() || (form === 'let' && this.s.atWord('in'))) {
        throw this.s.error('syntax', `expected a declaration in \`${form}\`, found ${this.s.found()}`, undefined,
          `\`${form}\` needs at least one declaration \`x = name\` or \`name\`, separated by \`;\` (no trailing \`;\`)`);
      }
      const d = this.declaration(depth);
      if (sink) sink.declaration(d);
      else out.push(d);
    } while (this.s.eatCode(59 /* ; */));
    return out;
  }

  private declaration(depth: number): Declaration {
    const start = this.begin();
    if (this.s.atBinder()) {
      const binder = this.nameIdentifier('a variable name');
      this.s.eatCode(61 /* = */);
      const value = this.substitution(depth);
      return { kind: 'Declaration', binder, value, span: this.s.spanFrom(start) };
    }
    const value = this.substitution(depth);
    return { kind: 'Declaration', value, span: this.s.spanFrom(start) };
  }

  substitution(depth: number): Substitution {
    const start = this.begin();
    const path = this.s.pathAhead();
    if (path !== undefined) {
      throw this.s.error('syntax/path-not-name', `\`${path}\` is a path, not a name: a path is a value of a parameter`,
        this.s.span(this.s.pos, this.s.pos + path.length), `to use the file or directory, import it: \`filesystem:import?path=${path}\``);
    }
    const ref = this.nameRef(depth);
    if (this.s.peekCode() !== 40 /* ( */) return { kind: 'Substitution', ref, span: this.s.spanFrom(start) };
    const open = this.s.pos;
    this.s.eatCode(40);
    const inner = this.deeper(depth, this.s.lastEnd);
    if (this.s.peekCode() === 41 /* ) */) {
      throw this.s.error('syntax', 'empty input list `()`', this.s.span(open, this.s.pos),
        'give at least one input, or remove the parentheses for a name without inputs');
    }
    const args: Arg[] = [];
    const formals = new GivenNames(args, formalOf);
    do {
      this.unclosed(open);
      args.push(this.arg(inner, formals));
    } while (this.s.eatCode(44 /* , */));
    this.close(open, '`,` or `)`');
    return { kind: 'Substitution', ref, args, span: this.s.spanFrom(start) };
  }

  /** At the end of input inside `( … )`: report the unclosed parenthesis rather than a missing name. */
  private unclosed(open: number): void {
    if (!this.s.atEnd()) return;
    throw this.s.error('syntax/unbalanced', `unbalanced parentheses: the \`(\` at ${this.at(open)} is never closed`,
      undefined, 'add the missing `)`');
  }

  private close(open: number, expected: string): void {
    if (this.s.eatCode(41 /* ) */)) return;
    const code = this.s.atEnd() ? 'syntax/unbalanced' : 'syntax';
    throw this.s.error(code, `expected ${expected} to close the \`(\` at ${this.at(open)}, found ${this.s.found()}`, undefined, this.unquotedValue());
  }

  /** One input; a formal input already in `formals` is refused. */
  private arg(depth: number, formals: GivenNames<Arg>): Arg {
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
      if (formals.has(formal.name)) {
        throw new NomiaSyntaxError('syntax/duplicate', `input \`${formal.name}\` is given twice`, this.s.span(start, this.s.lastEnd), this.s.text,
          'give each input once');
      }
      this.s.eatCode(58 /* : */);
      const value = this.outputRef(depth);
      return { kind: 'Arg', formal, value, span: this.s.spanFrom(start) };
    }
    const value = this.outputRef(depth);
    return { kind: 'Arg', value, span: this.s.spanFrom(start) };
  }

  /** At `x` `:` — decide ambiguity 1: formal binding, or positional `x:y`? Leaves the cursor anywhere. */
  private isFormal(): boolean {
    this.s.eatCode(58 /* : */);
    const c = this.s.peek();
    if (c === '$' || c === '@' || c === '(') return true;
    if (this.s.nameId() === undefined) return false;
    if (this.s.peekCode() === 63 /* ? */) {
      try {
        this.s.eatCode(63);
        this.params(0);
      } catch {
        return false;
      }
    }
    return this.s.peekCode() === 58 /* : */;
  }

  outputRef(depth: number): OutputRef {
    const start = this.begin();
    const name = this.substitution(depth);
    let output: Ident | undefined;
    if (this.s.eatCode(46 /* . */)) output = this.identifier('an output name after `.`');
    let projection: string[] | undefined;
    if (this.s.peekCode() === 47 /* / */) {
      projection = [];
      do {
        // `//` is the same as `/`, between segments as before the first (issue 12).
        while (this.s.eatCode(47));
        projection.push(this.segment());
      } while (this.s.peekCode() === 47);
    }
    // Built without object spread: this runs once per name reference, and spreads are slow.
    const span = this.s.spanFrom(start);
    if (output) return projection ? { kind: 'OutputRef', name, output, projection, span } : { kind: 'OutputRef', name, output, span };
    return projection ? { kind: 'OutputRef', name, projection, span } : { kind: 'OutputRef', name, span };
  }

  private segment(): string {
    const start = this.begin();
    const seg = this.s.quoted() ?? this.s.unquoted();
    if (seg === undefined) throw this.s.error('syntax', `expected a path segment after \`/\`, found ${this.s.found()}`);
    if (seg === '' || seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\0')) {
      throw new NomiaSyntaxError('syntax', `invalid projection segment ${JSON.stringify(seg)}`, this.s.span(start, this.s.lastEnd), this.s.text,
        'a projection names a path inside an output: no empty, `.` or `..` segments, no `/` or NUL inside one');
    }
    return seg;
  }

  private nameRef(depth: number): NameRef {
    const start = this.begin();
    const c = this.s.peekCode();
    if (c === 36 /* $ */) {
      this.s.eatCode(36);
      const id = this.nameIdentifier('a variable name after `$`');
      return { kind: 'Variable', id, span: this.s.spanFrom(start) };
    }
    if (c === 64 /* @ */) {
      this.s.eatCode(64);
      const id = this.nameIdentifier('a resolved-name variable after `@`');
      return { kind: 'Resolved', id, span: this.s.spanFrom(start) };
    }
    if (c === 40 /* ( */) {
      this.s.eatCode(40);
      this.unclosed(start);
      const inner = this.name(this.deeper(depth));
      this.close(start, '`)`');
      if (this.s.peekCode() === 58 /* : */) {
        if (inner.kind !== 'Tree') {
          throw new NomiaSyntaxError('syntax', `a named namespace must be a single name, not a \`${inner.kind === 'LetIn' ? 'let' : 'compose'}\``,
            this.s.span(start, this.s.lastEnd), this.s.text, 'wrap it in another pair of parentheses: `((let … in …)):name`');
        }
        this.s.eatCode(58);
        const nsSpan = inner.span && this.s.span(start, (inner.span as SourceSpan).endOffset);
        const id = this.parameterizedId(depth);
        return {
          kind: 'AtomicName',
          namespace: { kind: 'NamedNamespace', ref: inner.body, span: nsSpan },
          id, span: this.s.spanFrom(start),
        };
      }
      return { kind: 'Nested', name: inner, span: this.s.spanFrom(start) };
    }
    if (c === 41 /* ) */) throw this.s.error('syntax/unbalanced', 'unexpected `)` where a name was expected', undefined, 'remove the `)` or add the name it should follow');
    const first = this.parameterizedId(depth);
    if (this.s.peekCode() === 58 /* : */) {
      this.s.eatCode(58);
      const id = this.parameterizedId(depth);
      const atom: AtomicName = {
        kind: 'AtomicName',
        namespace: { kind: 'BuiltinNamespace', id: first, span: first.span },
        id, span: this.s.spanFrom(start),
      };
      return atom;
    }
    return { kind: 'AtomicName', id: first, span: this.s.spanFrom(start) };
  }


}

const formalOf = (a: Arg): string | undefined => a.formal?.name;
