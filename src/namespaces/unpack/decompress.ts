/**
 * Recognizing an archive's compression by its first bytes, and undoing it.
 *
 * node-tar on Node 20 crashes the process on zstd and refuses xz, so tar data
 * is always decompressed here first and handed to the tar parser plain:
 * gzip by Node's zlib (streamed), zstd by fzstd (streamed), xz by
 * @napi-rs/lzma and bzip2 by seek-bzip (both whole-buffer: the compressed
 * file and its decompressed bytes are held in memory at once).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { NomiaError } from '../../namespace/index.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';
export type Detected = Compression | 'zip' | 'lzip' | 'lz4' | 'compress';

const MAGIC: readonly (readonly [Detected, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  // An empty zip is only its end-of-central-directory record.
  ['zip', [0x50, 0x4b, 0x05, 0x06]],
  ['lzip', [0x4c, 0x5a, 0x49, 0x50]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['compress', [0x1f, 0x9d]],
];

/** Decoded bytes handed on at once: big enough to be cheap, small enough to keep the parser fed. */
const SLICE = 1 << 20;

/** A part of a file: `size` bytes from `offset` (an archive member, e.g. a .deb's data.tar, read in place). */
export interface Range {
  readonly offset: number;
  readonly size: number;
}

/** What the first bytes of `file` (of `range` in it) say it is; `none` for anything unrecognized (plain tar, or not an archive). */
export function detect(file: string, range?: Range): Detected {
  const head = Buffer.alloc(range === undefined ? 8 : Math.min(8, range.size));
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, range?.offset ?? 0);
  } finally {
    closeSync(fd);
  }
  for (const [kind, magic] of MAGIC) {
    if (n >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

/**
 * A signal of this call's own that follows `signal`: @napi-rs/lzma refuses
 * (InvalidArg) a signal that another of its calls still holds, so two xz
 * archives unpacked at once under one run's signal would fail.
 */
function ownSignal(signal: AbortSignal | undefined): { readonly signal: AbortSignal | undefined; release(): void } {
  if (signal === undefined) return { signal, release: () => undefined };
  const own = new AbortController();
  const follow = () => own.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  // Dropped when the call ends: a run unpacking hundreds of archives must not pile listeners on its signal.
  return { signal: own.signal, release: () => signal.removeEventListener('abort', follow) };
}

function* slices(buf: Uint8Array): Iterable<Uint8Array> {
  for (let off = 0; off < buf.length; off += SLICE) yield buf.subarray(off, Math.min(off + SLICE, buf.length));
}

/** The bytes of `file` (of `range` in it) as a stream. */
function stream(file: string, range: Range | undefined, signal?: AbortSignal) {
  if (range?.size === 0) return Readable.from([]);
  return createReadStream(file, { highWaterMark: SLICE, ...(signal ? { signal } : {}), ...(range === undefined ? {} : { start: range.offset, end: range.offset + range.size - 1 }) });
}

/** The bytes of `file` (of `range` in it) in one buffer. */
async function whole(file: string, range: Range | undefined, signal?: AbortSignal): Promise<Buffer> {
  if (range === undefined) return readFile(file, signal ? { signal } : {});
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(range.size);
    for (let at = 0; at < range.size;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buf, at, range.size - at, range.offset + at);
      if (bytesRead === 0) throw new Error(`${file} ends before byte ${range.offset + range.size}`);
      at += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed bytes of `file` (or of `range` in it, read in place), in
 * order. Corrupt data is `unpack/format` naming `label`. Stopping the
 * iteration early closes the file.
 */
export async function* decompressed(file: string, compression: Compression, label: string, signal?: AbortSignal, range?: Range): AsyncIterable<Uint8Array> {
  const corrupt = (e: unknown) => new NomiaError('unpack/format', `${label}: the ${compression} data is corrupt: ${(e as Error).message}`, {
    hint: 'the file is damaged or not what its name says; fetch it again or check its hash', cause: e,
  });
  switch (compression) {
    case 'none':
      yield* stream(file, range, signal);
      return;
    case 'gzip': {
      // pipeline destroys the file stream if gunzip fails, and gunzip if the file cannot be read.
      const gunzip = pipeline(stream(file, range), createGunzip(), () => undefined);
      try {
        for await (const chunk of gunzip) {
          signal?.throwIfAborted();
          yield chunk as Buffer;
        }
      } catch (e) {
        if (signal?.aborted || e instanceof NomiaError) throw e;
        if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) throw corrupt(e);
        throw e;
      }
      return;
    }
    case 'zstd': {
      const out: Uint8Array[] = [];
      // The decompressors load on first use: every CLI start would pay for them otherwise.
      const { Decompress: ZstdDecompress } = await import('fzstd');
      const z = new ZstdDecompress((data) => {
        out.push(data);
      });
      const push = (chunk: Uint8Array, final: boolean) => {
        try {
          z.push(chunk, final);
        } catch (e) {
          throw corrupt(e);
        }
      };
      for await (const chunk of stream(file, range, signal)) {
        push(chunk as Buffer, false);
        yield* out.splice(0);
      }
      push(new Uint8Array(0), true);
      yield* out.splice(0);
      return;
    }
    case 'xz': {
      let buf: Buffer;
      try {
        const { xz } = await import('@napi-rs/lzma');
        const own = ownSignal(signal);
        try {
          buf = await xz.decompress(await whole(file, range, signal), own.signal);
        } finally {
          own.release();
        }
      } catch (e) {
        if (signal?.aborted) throw e;
        throw corrupt(e);
      }
      yield* slices(buf);
      return;
    }
    case 'bzip2': {
      const input = await whole(file, range, signal);
      let buf: Buffer;
      try {
        const { default: bunzip } = await import('seek-bzip');
        buf = bunzip.decode(input, undefined, true);
      } catch (e) {
        throw corrupt(e);
      }
      yield* slices(buf);
      return;
    }
  }
}
