/**
 * The primitive encodings of `docs/spec/spelling.md`: `u8`, big-endian `u32`,
 * and `str` (u32 byte length, then UTF-8). Nothing else goes into a spelling.
 */
export class ByteWriter {
  private chunks: Buffer[] = [];
  private small: number[] = [];

  private flush(): void {
    if (this.small.length) {
      this.chunks.push(Buffer.from(this.small));
      this.small = [];
    }
  }

  u8(n: number): this {
    this.small.push(n & 0xff);
    return this;
  }

  u32(n: number): this {
    this.small.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.flush();
    this.chunks.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }

  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u32(b.length).bytes(b);
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

/** Order strings by their UTF-8 bytes (code point order), as the spec requires; JS `<` compares UTF-16 units. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
