/**
 * Canonical text of a name text, without holding its whole AST: the parser
 * hands each top-level declaration to the printer and drops it. This is how
 * `nomia parse` and `nomia fmt` stay within a few times the input's size on
 * a `compose` of millions of nodes (issue 15).
 *
 * The text is encoded to UTF-8 as it is printed, into large buffers outside
 * the JavaScript heap: the output of a large name then costs the garbage
 * collector nothing (strings that live until the end would be copied by
 * every young-generation collection they survive) and is written as is.
 */
import { parseExpressionInto } from './parse.js';
import { CanonicalWriter, type TextSink } from './print.js';

/** Bytes per buffer: large enough that a 10 MB name needs a handful. */
const SLAB = 1 << 20;

/** UTF-8 bytes collected into large buffers, token by token. */
class Utf8Slabs implements TextSink {
  private readonly done: Uint8Array[] = [];
  private slab: Buffer;
  private used = 0;

  /** `expected`: at most how many bytes will come (3 per UTF-16 unit of an input about as long as its canonical text), so a small name gets a small buffer. */
  constructor(expected: number) {
    this.slab = Buffer.allocUnsafe(Math.min(SLAB, expected));
  }

  add(text: string): void {
    const n = text.length;
    // At most 3 bytes per UTF-16 unit.
    if (this.used + n * 3 > this.slab.length) {
      if (this.used > 0) this.done.push(this.slab.subarray(0, this.used));
      this.slab = Buffer.allocUnsafe(Math.max(SLAB, n * 3));
      this.used = 0;
    }
    // Most tokens are a few ASCII characters: copying them here is much cheaper than a call into the encoder.
    if (n <= 32) {
      const slab = this.slab;
      let at = this.used;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 128) break;
        slab[at++] = c;
      }
      if (i === n) {
        this.used = at;
        return;
      }
    }
    this.used += this.slab.write(text, this.used, 'utf8');
  }

  result(): Uint8Array[] {
    if (this.used > 0) this.done.push(this.slab.subarray(0, this.used));
    return this.done;
  }
}

/**
 * `print(parseExpression(text))` encoded as UTF-8, in chunks to be written
 * one after another. Throws `NomiaSyntaxError` exactly where
 * `parseExpression` does.
 */
export function formatExpression(text: string): Uint8Array[] {
  const out = new Utf8Slabs(3 * text.length + 64);
  const w = new CanonicalWriter(out);
  parseExpressionInto(text, w);
  w.chunks();
  return out.result();
}
