/**
 * The operations that materialize a mirrored tree with the store's metadata,
 * shared by the in-thread copy and the copy worker, so both write exactly the
 * same thing.
 */
import { chmodSync, closeSync, constants as C, fchmodSync, futimesSync, lutimesSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import type { FsPath } from './nar.js';

/** One step of a copy. Paths are destination paths. */
export type CopyOp =
  | { readonly k: 'mkdir'; readonly p: FsPath }
  | { readonly k: 'seal-dir'; readonly p: FsPath }
  | { readonly k: 'open'; readonly p: FsPath; readonly mode: number }
  | { readonly k: 'write'; readonly data: Uint8Array }
  | { readonly k: 'close' }
  | { readonly k: 'symlink'; readonly p: FsPath; readonly target: Uint8Array };

/** Applies ops in order; holds the one file open at a time. */
export class CopyApplier {
  private fd = -1;
  /** A umask that strips read or execute bits would leave wrong modes: then chmod explicitly. */
  private readonly fixModes: boolean;

  constructor(umask: number) {
    this.fixModes = (umask & 0o555) !== 0;
  }

  apply(op: CopyOp): void {
    switch (op.k) {
      case 'mkdir':
        mkdirSync(op.p, { mode: 0o755 });
        return;
      case 'seal-dir':
        utimesSync(op.p, 1, 1);
        chmodSync(op.p, 0o555);
        return;
      case 'open':
        this.fd = openSync(op.p, C.O_WRONLY | C.O_CREAT | C.O_EXCL, op.mode);
        if (this.fixModes) fchmodSync(this.fd, op.mode);
        return;
      case 'write': {
        let off = 0;
        while (off < op.data.length) off += writeSync(this.fd, op.data, off, op.data.length - off);
        return;
      }
      case 'close':
        futimesSync(this.fd, 1, 1);
        closeSync(this.fd);
        this.fd = -1;
        return;
      case 'symlink':
        symlinkSync(Buffer.from(op.target.buffer, op.target.byteOffset, op.target.byteLength), op.p);
        lutimesSync(op.p, 1, 1);
        return;
    }
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
