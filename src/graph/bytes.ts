/**
 * The primitive encodings of `docs/spec/spelling.md`: `u8`, big-endian `u32`,
 * and `str` (u32 byte length, then UTF-8). Nothing else goes into a spelling.
 *
 * One growable buffer, reset and reused per record: spelling a 10 000-node
 * graph would otherwise spend most of its time collecting tiny Buffers.
 */
import { createHash } from 'node:crypto';

export class ByteWriter {
  private buf = Buffer.allocUnsafe(512);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  reset(): this {
    this.len = 0;
    return this;
  }

  u8(n: number): this {
    this.ensure(1);
    this.buf[this.len++] = n & 0xff;
    return this;
  }

  u32(n: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(n >>> 0, this.len);
    this.len += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  str(s: string): this {
    this.ensure(4 + s.length * 3);
    const n = this.buf.write(s, this.len + 4, 'utf8');
    this.buf.writeUInt32BE(n, this.len);
    this.len += 4 + n;
    return this;
  }

  /** A copy of the bytes written so far. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  /** SHA-256 of the bytes written so far. */
  sha256(): Buffer {
    return createHash('sha256').update(this.buf.subarray(0, this.len)).digest();
  }
}

/**
 * Order strings by code point, which is the order of their UTF-8 bytes, as the
 * spec requires. JS `<` compares UTF-16 units, which puts U+E000–U+FFFF after
 * astral characters; only that case needs care.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
