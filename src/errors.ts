/**
 * The one error base of Nomia. Every error the library throws is a
 * `NomiaError` with a stable `code` (scripts match on it), a message that says
 * what went wrong and where, and optionally a `hint` naming the fix.
 * The library never prints; `src/cli/` renders these.
 */

/** A position in a source text: 1-based line and column, 0-based offset. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A half-open range `[start, end)` in a source text. */
export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/** Stable error codes. Add new ones at the end; never reuse a retired one. */
export const ERROR_CODES = [
  'syntax',
  'syntax/unterminated-string',
  'syntax/unterminated-comment',
  'syntax/unbalanced',
  'syntax/too-deep',
  'syntax/reserved',
  'syntax/duplicate',
  'json/invalid',
  'graph/unbound-variable',
  'graph/duplicate-binding',
  'graph/unbound-resolved',
  'graph/invalid',
  'spell/no-namespace',
  'usage',
  'nar/corrupt',
  'hash/invalid',
  'store/unsupported-file',
  'store/not-found',
  'store/io',
  'store/no-space',
  'store/read-only',
  'store/corrupt',
  'store/locked',
  'store/root',
  'namespace/protocol',
  'namespace/crashed',
  'namespace/timeout',
  'realize/failed',
  'graph/structure',
  'sandbox/unavailable',
  'build/failed',
  'build/output',
  'daemon/io',
  'daemon/denied',
  'git/failed',
  'git/rev-not-found',
  'git/rev-ambiguous',
  'fetch/http',
  'fetch/timeout',
  'fetch/hash-mismatch',
  'unpack/format',
  'unpack/unsafe-entry',
  'deb/apt',
  'deb/unreachable',
  'deb/not-found',
  'deb/hash-mismatch',
  'deb/format',
  'deb/no-sources',
  'private/permission',
  'namespace/contract',
  'realize/not-reproducible',
  'realize/cycle',
  'realize/input-vanished',
  'store/too-deep',
  'syntax/too-large',
  'cache/key',
  'cache/io',
  'cache/store-dir',
  'cc/outside-trees',
  'cc/no-toolchain',
  'service/failed',
  'service/exited',
  'service/not-ready',
  'service/port-taken',
  'service/dependency',
  'service/not-found',
  'service/supervisor',
  'query/not-realized',
  'ninja/syntax',
  'ninja/no-manifest',
  'ninja/unknown-target',
  'ninja/cycle',
  'syntax/path-not-name',
  'compile-commands/invalid',
  'compile-commands/no-entry',
  'deb/not-installed',
  'cc/no-library-for-interface',
  'ninja/effect-failed',
  'ninja/toolchain-missing-path',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether `code` is one of Nomia's error codes (e.g. one a namespace process sent). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

export interface NomiaErrorOptions {
  readonly hint?: string;
  readonly span?: Span;
  /** The source text the span points into, for the caret excerpt. */
  readonly source?: string;
  readonly cause?: unknown;
  /** What was being done when it happened, innermost first (`realizing x:y (1:1)`). */
  readonly trace?: readonly string[];
}

export class NomiaError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly span: Span | undefined;
  readonly source: string | undefined;

  constructor(code: ErrorCode, message: string, options: NomiaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NomiaError';
    this.code = code;
    this.hint = options.hint;
    this.span = options.span;
    this.source = options.source;
    this.frames = [...(options.trace ?? [])];
  }

  private readonly frames: string[];

  /**
   * What was being done when it happened, innermost first, e.g. `realizing
   * exec:run?… (3:7)`: added as the error unwinds (`addTrace`), shown by the
   * CLI as `while …` lines under the message, and carried across the
   * namespace protocol (`error.data.trace`).
   */
  get trace(): readonly string[] {
    return this.frames;
  }

  /** Add what was being done, as the error unwinds through it; returns the error. */
  addTrace(frame: string): this {
    this.frames.push(frame);
    return this;
  }

  /** `line:column` of the error's start, when it has a span. */
  get location(): string | undefined {
    return this.span ? `${this.span.start.line}:${this.span.start.column}` : undefined;
  }

  /** The offending source line with a caret under the error, or `''`. */
  get excerpt(): string {
    return this.span && this.source !== undefined ? caretExcerpt(this.source, this.span) : '';
  }
}

/** A name text that does not follow the grammar. Always has a span. */
export class NomiaSyntaxError extends NomiaError {
  override readonly span: Span;
  readonly line: number;
  readonly column: number;

  constructor(code: ErrorCode, message: string, span: Span, source: string, hint?: string) {
    super(code, message, { span, source, ...(hint === undefined ? {} : { hint }) });
    this.name = 'NomiaSyntaxError';
    this.span = span;
    this.line = span.start.line;
    this.column = span.start.column;
  }
}

/** A store operation that failed: missing object, bad input, I/O, full disk. */
export class NomiaStoreError extends NomiaError {
  /** The file-system path involved, when there is one. */
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, options: NomiaErrorOptions & { path?: string } = {}) {
    super(code, message, options);
    this.name = 'NomiaStoreError';
    this.path = options.path;
  }
}

/** A name that parses but does not make a well-formed graph. */
export class NomiaGraphError extends NomiaError {
  constructor(code: ErrorCode, message: string, options: NomiaErrorOptions = {}) {
    super(code, message, options);
    this.name = 'NomiaGraphError';
  }
}

/**
 * Render the line of `source` that `span` starts on, with `^~~~` under the
 * spanned columns (clipped to that line). Long lines are windowed around the
 * error so the caret stays visible in a terminal.
 */
export function caretExcerpt(source: string, span: Span): string {
  const lineStart = source.lastIndexOf('\n', span.start.offset - 1) + 1;
  let lineEnd = source.indexOf('\n', span.start.offset);
  if (lineEnd < 0) lineEnd = source.length;
  let text = source.slice(lineStart, lineEnd);
  let col = span.start.offset - lineStart;
  let width = Math.max(1, Math.min(span.end.offset, lineEnd) - span.start.offset);
  const window = 100;
  if (text.length > window) {
    const from = Math.max(0, Math.min(col - 40, text.length - window));
    const clipped = text.slice(from, from + window);
    text = (from > 0 ? '…' : '') + clipped + (from + window < text.length ? '…' : '');
    col = col - from + (from > 0 ? 1 : 0);
    width = Math.min(width, window - (col - (from > 0 ? 1 : 0)));
  }
  const gutter = String(span.start.line);
  const pad = ' '.repeat(gutter.length);
  return `${gutter} | ${text}\n${pad} | ${' '.repeat(col)}^${'~'.repeat(Math.max(0, width - 1))}`;
}
