/**
 * The canonical printer. One line, single spaces after `,` `;` `:` (formal
 * inputs) and around `=` in declarations, parameters in written order,
 * quotes only where a value would not scan back unquoted.
 *
 * An unquoted value is greedy: `f?a=b.out` scans as the value `b.out`, a
 * URL value runs over `.`, `/`, `:` and `;`, a path over all but `;`. When the next printed
 * characters would extend such a value, the printer puts one space between
 * them (`f?a=b .out`, `f?p=./src /main.c`); whitespace may stand between any
 * two tokens, so this keeps the value unquoted and the meaning intact. The
 * values `.`, `..` and `~` are greedy in one more way: a `/` after them would
 * start a path (`f?a=. /x` projects `x` out of `f?a=.`).
 */
import type {
  Arg, AtomicName, Declaration, Expression, Name, NameRef, OutputRef, ParameterizedId, ParamValue, Substitution,
} from './ast.js';
import type { TopLevelSink } from './parse.js';
import { continuesPath, continuesPlain, continuesUrl, valueForm } from './char-classes.js';

/** What the last token was, for whether the next must be kept apart from it by a space. */
const NOT_GREEDY = 0;
/** A plain unquoted value: `[A-Za-z0-9_.+~%@'-]` would continue it. */
const PLAIN = 1;
/** `.`, `..` or `~`: a plain value that a `/` would also continue (into a path). */
const PATH_PREFIX = 2;
/** A URL value: anything but `&`, `,`, `(`, `)`, `]` and whitespace continues it. */
const URL = 3;
/** A path value: as a URL, but `;` too ends it. */
const PATH = 4;

/** Parts are joined into a chunk this often, so a large name is held as a few big strings, not millions of small ones. */
const CHUNK_PARTS = 4096;

/** Where a printer puts its text when it does not collect it: token by token, in order. */
export interface TextSink {
  add(text: string): void;
}

/** The text printed, collected as a few large strings. */
class Chunks implements TextSink {
  private parts: string[] = [];
  private readonly chunks: string[] = [];

  add(text: string): void {
    this.parts.push(text);
    if (this.parts.length >= CHUNK_PARTS) this.flush();
  }

  private flush(): void {
    this.chunks.push(this.parts.join(''));
    this.parts = [];
  }

  /** The text so far, as chunks to write one after another. */
  toChunks(): string[] {
    if (this.parts.length > 0) this.flush();
    return this.chunks;
  }
}

/**
 * Tokens in, text out. A token may be given in pieces (`push2`, `push3`:
 * `?` key `=`), which the sink receives one by one: the pieces are mostly
 * slices of the parsed text, and gluing them into a new string for every
 * token would cost the streaming printer (`format.ts`) a string and a copy.
 */
class Out {
  private started = false;
  private last = NOT_GREEDY;

  /**
   * `separator`, when given, is called between tokens for the trivia to put
   * there (see `printWith`).
   */
  constructor(private readonly sink: TextSink, private readonly separator?: () => string) {}

  push(s: string): void {
    if (this.separator) {
      this.pushSeparated(s, this.separator);
      return;
    }
    if (this.last !== NOT_GREEDY) {
      if (this.continues(s)) this.sink.add(' ');
      this.last = NOT_GREEDY;
    }
    this.sink.add(s);
  }

  /** One token given as two pieces (`a` not empty). */
  push2(a: string, b: string): void {
    if (this.separator) {
      this.pushSeparated(a + b, this.separator);
      return;
    }
    this.push(a);
    this.sink.add(b);
  }

  /** One token given as three pieces (`a` not empty). */
  push3(a: string, b: string, c: string): void {
    if (this.separator) {
      this.pushSeparated(a + b + c, this.separator);
      return;
    }
    this.push(a);
    this.sink.add(b);
    this.sink.add(c);
  }

  /** `push` with trivia between tokens (`printWith`). */
  private pushSeparated(s: string, separator: () => string): void {
    const sep = this.started ? separator() : '';
    // A comment right after a URL or path would be scanned as part of it: whitespace first ends the value.
    if (this.last !== NOT_GREEDY && this.continues(sep + s)) this.sink.add(' ');
    if (sep) this.sink.add(sep);
    this.last = NOT_GREEDY;
    this.started = true;
    this.sink.add(s);
  }

  private continues(following: string): boolean {
    switch (this.last) {
      case PLAIN: return continuesPlain(following);
      case PATH_PREFIX: return continuesPlain(following) || following.charCodeAt(0) === 47 /* / */;
      case URL: return continuesUrl(following);
      default: return continuesPath(following);
    }
  }

  /** Push a value that the scanner would extend with what follows it, as `kind` says. */
  pushValue(s: string, kind: typeof PLAIN | typeof PATH_PREFIX | typeof URL | typeof PATH): void {
    this.push(s);
    this.last = kind;
  }
}

/** A printer that collects its text. */
function collecting(separator?: () => string): { o: Out; text: () => string } {
  const chunks = new Chunks();
  return { o: new Out(chunks, separator), text: () => chunks.toChunks().join('') };
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
  const { o, text } = collecting(options.separator);
  if (e.kind === 'Replacement') {
    name(o, e.from);
    o.push(' => ');
    name(o, e.to);
  } else {
    name(o, e);
  }
  return text();
}

/** Canonical text of one parameter value, as it would appear after `key=`. */
export function printValue(v: ParamValue): string {
  const { o, text } = collecting();
  value(o, v);
  return text();
}

/** Canonical text of a projection segment. */
export function printSegment(s: string): string {
  return valueForm(s) === 'plain' && s !== '.' && s !== '..' ? s : JSON.stringify(s);
}

/**
 * Prints canonical text as the parser hands over a name's top level
 * (`parseExpressionInto`), so that a large `compose` is printed without its
 * whole AST in memory. The text is the same as `print` of the parsed name.
 */
export class CanonicalWriter implements TopLevelSink {
  private readonly o: Out;
  private readonly collected: Chunks | undefined;
  private first = true;

  /** `sink` receives the text token by token as it is printed; without it, `chunks()` returns it. */
  constructor(sink?: TextSink) {
    if (!sink) sink = this.collected = new Chunks();
    this.o = new Out(sink);
  }

  begin(form: 'let' | 'compose'): void {
    this.o.push(form === 'let' ? 'let ' : 'compose ');
    this.first = true;
  }

  declaration(d: Declaration): void {
    if (!this.first) this.o.push('; ');
    this.first = false;
    declaration(this.o, d);
  }

  in(): void {
    this.o.push(' in ');
  }

  body(r: OutputRef): void {
    outputRef(this.o, r);
  }

  arrow(): void {
    this.o.push(' => ');
  }

  /** The text printed, in chunks; `[]` with a sink (which has it all). */
  chunks(): string[] {
    return this.collected ? this.collected.toChunks() : [];
  }
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
  for (let i = 0; i < ds.length; i++) {
    if (i > 0) o.push('; ');
    declaration(o, ds[i]!);
  }
}

function declaration(o: Out, d: Declaration): void {
  if (d.binder) o.push2(d.binder.name, ' = ');
  substitution(o, d.value);
}

function substitution(o: Out, s: Substitution): void {
  nameRef(o, s.ref);
  if (s.args) {
    const args = s.args;
    o.push('(');
    for (let i = 0; i < args.length; i++) {
      if (i > 0) o.push(', ');
      arg(o, args[i]!);
    }
    o.push(')');
  }
}

function arg(o: Out, a: Arg): void {
  if (!a.formal) {
    outputRef(o, a.value);
    return;
  }
  o.push2(a.formal.name, ': ');
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
  if (r.output) o.push2('.', r.output.name);
  if (r.projection) for (const seg of r.projection) o.push2('/', printSegment(seg));
}

function nameRef(o: Out, r: NameRef): void {
  switch (r.kind) {
    case 'Variable':
      o.push2('$', r.id.name);
      return;
    case 'Resolved':
      o.push2('@', r.id.name);
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
  const params = p.params;
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    o.push3(i === 0 ? '?' : '&', param.key.name, '=');
    value(o, param.value);
  }
}

function value(o: Out, v: ParamValue): void {
  switch (v.kind) {
    case 'InputRef':
      o.push2('$', v.input.name);
      return;
    case 'List':
      const items = v.items;
      o.push('[');
      for (let i = 0; i < items.length; i++) {
        if (i > 0) o.push(', ');
        value(o, items[i]!);
      }
      o.push(']');
      return;
    case 'String': {
      const s = v.value;
      const form = valueForm(s);
      if (form === 'plain') o.pushValue(s, s === '.' || s === '..' || s === '~' ? PATH_PREFIX : PLAIN);
      else if (form === 'url') o.pushValue(s, URL);
      else if (form === 'path') o.pushValue(s, PATH);
      else o.push(JSON.stringify(s));
      return;
    }
  }
}
