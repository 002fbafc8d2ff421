/**
 * The files one compile reads after gcc ran, each read once: the texts
 * the probe scan and the one-run check look at (probes.ts, one-run.ts) and
 * the digests its hint keeps (hints.ts) come from the same bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Files by host path, each read at most once: its bytes, and their SHA-256 once asked for. */
export class ReadOnce {
  private readonly files = new Map<string, { readonly bytes: Buffer; sha256?: string }>();

  /** The bytes of `path`, read the first time they are asked for. */
  bytes(path: string): Buffer {
    let f = this.files.get(path);
    if (!f) {
      f = { bytes: readFileSync(path) };
      this.files.set(path, f);
    }
    return f.bytes;
  }

  /** The hex SHA-256 of the bytes of `path`. */
  sha256(path: string): string {
    this.bytes(path);
    const f = this.files.get(path)!;
    f.sha256 ??= createHash('sha256').update(f.bytes).digest('hex');
    return f.sha256;
  }
}
