/**
 * Reading a zip file with yauzl and handing each entry to a `SafeTree`.
 *
 * yauzl is asked for raw names (`decodeStrings: false`) so that an unsafe
 * name reaches `SafeTree` and is refused with our own error naming it,
 * rather than failing inside yauzl with its message. Names are decoded as
 * Info-ZIP's unzip does on Unix: UTF-8 when the entry says so (its flag or
 * the Unicode path field), the bytes as they are (read as UTF-8) when the
 * archive was made on Unix, else CP437 (DOS, Windows). Backslashes are taken
 * as separators, as archives made on Windows use them.
 *
 * Unix modes come from the high 16 bits of the external attributes when the
 * archive was made on Unix: they say which files are executable and which
 * entries are symlinks (whose data is the target), as Info-ZIP's unzip reads
 * them. Each file's CRC-32 is checked, which yauzl leaves to its caller.
 */
import { readFileSync, statSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry } from 'yauzl';
import { NomiaError } from '../../namespace/index.js';
import type { SafeTree } from './safe-tree.js';

/** The "version made by" hosts whose external attributes hold a Unix mode: Unix and macOS. */
const UNIX_HOSTS = new Set([3, 19]);
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Zip files up to this size are read into memory (yauzl reads entries from a buffer much faster than from a file). */
const IN_MEMORY = 256 << 20;
/** Deflated entries up to this size are inflated in one call rather than through a stream. */
const SMALL = 1 << 20;
/** No real symlink target is longer (PATH_MAX). */
const MAX_LINK = 4096;

export interface ReadZipOptions {
  readonly label: string;
  readonly signal?: AbortSignal;
}

/** The entry's name, as unzip on Unix reads it (see above). */
function entryName(entry: Entry): string {
  const utf8 = (entry.generalPurposeBitFlag & 0x800) !== 0 || entry.extraFields.some((f) => f.id === 0x7075);
  if (!utf8 && UNIX_HOSTS.has(entry.versionMadeBy >> 8)) return entry.fileNameRaw.toString('utf8').replace(/\\/g, '/');
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

function unixMode(entry: Entry): number | undefined {
  const mode = entry.externalFileAttributes >>> 16;
  return UNIX_HOSTS.has(entry.versionMadeBy >> 8) && mode !== 0 ? mode : undefined;
}

/** Unpack the zip file `file` into `tree`. */
export async function readZip(file: string, tree: SafeTree, options: ReadZipOptions): Promise<void> {
  const { label, signal } = options;
  const format = (why: string, cause?: unknown) => new NomiaError('unpack/format', `${label}: ${why}`, {
    hint: 'is it a zip file? a damaged or truncated download gives this too', ...(cause === undefined ? {} : { cause }),
  });
  let zip: yauzl.ZipFile;
  try {
    const options = { decodeStrings: false, autoClose: false, validateEntrySizes: true };
    // Held in memory when small: every entry then costs no round trips to the file system's thread pool.
    zip = statSync(file).size <= IN_MEMORY ? await yauzl.fromBufferPromise(readFileSync(file), options) : await yauzl.openPromise(file, options);
  } catch (e) {
    throw format(/end of central directory record signature not found/i.test((e as Error).message) ? 'not a zip file' : (e as Error).message, e);
  }
  try {
    const entries = zip.eachEntry();
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw format((e as Error).message, e);
      }
      if (next.done) break;
      signal?.throwIfAborted();
      const entry = next.value;
      const raw = entryName(entry);
      const mode = unixMode(entry);
      // Some zippers record permission bits without a file type: the name says what it is.
      const type = mode === undefined || (mode & S_IFMT) === 0 ? (raw.endsWith('/') ? S_IFDIR : S_IFREG) : mode & S_IFMT;
      if (raw.endsWith('/') || type === S_IFDIR) {
        tree.dir(raw);
        continue;
      }
      if (entry.isEncrypted()) throw format(`the entry ${JSON.stringify(raw)} is encrypted`);
      const open = async function* (): AsyncIterable<Uint8Array> {
        let crc = 0;
        try {
          // A small deflated entry is inflated in one synchronous call: a zlib stream per file costs more than the data.
          const whole = entry.compressionMethod === 8 && entry.compressedSize <= SMALL;
          const stream = await zip.openReadStreamPromise(entry, whole ? { decompress: false } : {});
          if (whole) {
            const parts: Buffer[] = [];
            for await (const chunk of stream) parts.push(chunk as Buffer);
            const data = inflateRawSync(Buffer.concat(parts));
            if (data.length !== entry.uncompressedSize) throw new Error(`it inflates to ${data.length} bytes, not the ${entry.uncompressedSize} its header says`);
            crc = crc32(data);
            yield data;
          } else {
            for await (const chunk of stream) {
              crc = crc32(chunk as Buffer, crc);
              yield chunk as Buffer;
            }
          }
        } catch (e) {
          if (e instanceof NomiaError) throw e;
          throw format(`cannot read the entry ${JSON.stringify(raw)}: ${(e as Error).message}`, e);
        }
        if (crc >>> 0 !== entry.crc32 >>> 0) throw format(`the entry ${JSON.stringify(raw)} fails its CRC-32 check`);
      };
      if (type === S_IFLNK) {
        if (entry.uncompressedSize > MAX_LINK) throw format(`the symlink ${JSON.stringify(raw)} has a target of ${entry.uncompressedSize} bytes`);
        const parts: Uint8Array[] = [];
        for await (const chunk of open()) parts.push(chunk);
        tree.symlink(raw, Buffer.concat(parts).toString('utf8'));
      } else if (type === S_IFREG) {
        await tree.file(raw, ((mode ?? 0) & 0o100) !== 0, open);
      } else {
        tree.special(raw, `a special file (mode ${type.toString(8)})`);
      }
    }
  } finally {
    zip.close();
  }
  tree.finish();
}
