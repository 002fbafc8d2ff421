/**
 * Spans of parsed nodes, made cheap. Every AST node carries a span, so a
 * 10 MB name has millions of them: one small object holding two offsets
 * keeps the parser's garbage and the AST's memory down, and line and column
 * are computed only when someone asks (an error message, a graph label),
 * from a line index built once per source text.
 */
import type { Position, Span } from '../errors.js';

/** A source text with a lazily built index of where its lines start. */
export class SourceText {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  /** The 1-based line and column (UTF-16 units) of a 0-based offset. */
  position(offset: number): Position {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    // The last line start at or before `offset`.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A `Span` that stores offsets and computes positions on demand. */
export class SourceSpan implements Span {
  // Private, so that printing or comparing a span does not drag the whole source text along.
  readonly #source: SourceText;

  constructor(
    source: SourceText,
    /** 0-based offset of the first character. */
    readonly startOffset: number,
    /** 0-based offset after the last character. */
    readonly endOffset: number,
  ) {
    this.#source = source;
  }

  get start(): Position {
    return this.#source.position(this.startOffset);
  }

  get end(): Position {
    return this.#source.position(this.endOffset);
  }
}
