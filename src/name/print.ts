/**
 * The canonical printer. One line, single spaces after `,` `;` `:` (formal
 * inputs) and around `=` in declarations, parameters in written order,
 * quotes only where a value would not scan back unquoted.
 *
 * An unquoted value is greedy: `f?a=b.out` scans as the value `b.out`, and a
 * URL value runs over `.`, `/`, `:` and `;`. When the next printed character
 * would extend such a value, the printer puts one space between them
 * (`f?a=b .out`); whitespace may stand between any two tokens, so this keeps
 * the value unquoted and the meaning intact.
 */
import type {
  Arg, AtomicName, Declaration, Expression, Name, NameRef, OutputRef, ParameterizedId, ParamValue, Substitution,
} from './ast.js';
import { UNQUOTED_VALUE, URL_VALUE } from './lexer.js';

/** What may continue an unquoted value / a URL value without a separator. */
const CONTINUES_UNQUOTED = /^[A-Za-z0-9_.+~%@'-]/;
const CONTINUES_URL = /^[^&,()\s\]]/;

class Out {
  private parts: string[] = [];
  private greedy: RegExp | undefined;
  private afterUrl = false;

  /** `separator`, when given, is called between tokens for the trivia to put there (see `printWith`). */
  constructor(private readonly separator?: () => string) {}

  push(s: string): void {
    if (this.separator && this.parts.length > 0) {
      // A comment after a URL value would be scanned as part of the URL; whitespace ends it.
      const sep = this.separator();
      this.parts.push(this.afterUrl ? sep.replace(/\/\*[^]*?\*\//g, ' ') || ' ' : sep);
    }
    if (this.greedy && this.greedy.test(s)) this.parts.push(' ');
    this.greedy = undefined;
    this.afterUrl = false;
    this.parts.push(s);
  }

  /** Push a token that the scanner would extend with any following character matching `continues`. */
  pushGreedy(s: string, continues: RegExp): void {
    this.push(s);
    this.greedy = continues;
    this.afterUrl = continues === CONTINUES_URL;
  }

  toString(): string {
    return this.parts.join('');
  }
}

/** Print a name or replacement in canonical text. `print(parse(print(x))) === print(x)`. */
export function print(e: Expression): string {
  return printWith(e, {});
}

export interface PrintOptions {
  /**
   * Called between tokens; its result (whitespace and comments only) is put
   * there. The text is then not canonical but names the same thing: the
   * whitespace and comment laws of the spelling are tested with it.
   */
  readonly separator?: () => string;
}

/** `print` with options; see `PrintOptions`. */
export function printWith(e: Expression, options: PrintOptions): string {
  const o = new Out(options.separator);
  if (e.kind === 'Replacement') {
    name(o, e.from);
    o.push(' => ');
    name(o, e.to);
  } else {
    name(o, e);
  }
  return o.toString();
}

/** Canonical text of one parameter value, as it would appear after `key=`. */
export function printValue(v: ParamValue): string {
  const o = new Out();
  value(o, v);
  return o.toString();
}

/** Canonical text of a projection segment. */
export function printSegment(s: string): string {
  return UNQUOTED_VALUE.test(s) && s !== '.' && s !== '..' ? s : JSON.stringify(s);
}

function name(o: Out, n: Name): void {
  switch (n.kind) {
    case 'Tree':
      outputRef(o, n.body);
      return;
    case 'LetIn':
      o.push('let ');
      declarations(o, n.declarations);
      o.push(' in ');
      outputRef(o, n.body);
      return;
    case 'Compose':
      o.push('compose ');
      declarations(o, n.declarations);
      return;
  }
}

function declarations(o: Out, ds: readonly Declaration[]): void {
  ds.forEach((d, i) => {
    if (i > 0) o.push('; ');
    if (d.binder) o.push(`${d.binder.name} = `);
    substitution(o, d.value);
  });
}

function substitution(o: Out, s: Substitution): void {
  nameRef(o, s.ref);
  if (s.args) {
    o.push('(');
    s.args.forEach((a, i) => {
      if (i > 0) o.push(', ');
      arg(o, a);
    });
    o.push(')');
  }
}

function arg(o: Out, a: Arg): void {
  if (!a.formal) {
    outputRef(o, a.value);
    return;
  }
  o.push(`${a.formal.name}: `);
  // `x: y` would scan as the positional name `x:y`; a formal bound to an
  // unqualified atomic name is written `x: (y)` (DESIGN.md §2, ambiguity 1).
  const ref = a.value.name.ref;
  if (ref.kind === 'AtomicName' && !ref.namespace) {
    o.push('(');
    outputRef(o, a.value);
    o.push(')');
  } else {
    outputRef(o, a.value);
  }
}

function outputRef(o: Out, r: OutputRef): void {
  substitution(o, r.name);
  if (r.output) o.push(`.${r.output.name}`);
  if (r.projection) for (const seg of r.projection) o.push(`/${printSegment(seg)}`);
}

function nameRef(o: Out, r: NameRef): void {
  switch (r.kind) {
    case 'Variable':
      o.push(`$${r.id.name}`);
      return;
    case 'Resolved':
      o.push(`@${r.id.name}`);
      return;
    case 'Nested':
      o.push('(');
      name(o, r.name);
      o.push(')');
      return;
    case 'AtomicName':
      atomicName(o, r);
      return;
  }
}

function atomicName(o: Out, a: AtomicName): void {
  if (a.namespace?.kind === 'BuiltinNamespace') {
    parameterizedId(o, a.namespace.id);
    o.push(':');
  } else if (a.namespace?.kind === 'NamedNamespace') {
    o.push('(');
    outputRef(o, a.namespace.ref);
    o.push('):');
  }
  parameterizedId(o, a.id);
}

function parameterizedId(o: Out, p: ParameterizedId): void {
  o.push(p.id.name);
  if (!p.params) return;
  p.params.forEach((param, i) => {
    o.push(i === 0 ? `?${param.key.name}=` : `&${param.key.name}=`);
    value(o, param.value);
  });
}

function value(o: Out, v: ParamValue): void {
  switch (v.kind) {
    case 'InputRef':
      o.push(`$${v.input.name}`);
      return;
    case 'List':
      o.push('[');
      v.items.forEach((item, i) => {
        if (i > 0) o.push(', ');
        value(o, item);
      });
      o.push(']');
      return;
    case 'String':
      if (URL_VALUE.test(v.value)) o.pushGreedy(v.value, CONTINUES_URL);
      else if (UNQUOTED_VALUE.test(v.value)) o.pushGreedy(v.value, CONTINUES_UNQUOTED);
      else o.push(JSON.stringify(v.value));
      return;
  }
}
