/**
 * Reading a plain (already decompressed) tar stream with node-tar's parser
 * and handing each entry to a `SafeTree`, which checks it before writing.
 * node-tar's own extractor is not used: it would write first and sanitize
 * by its own rules; here every refusal is an error, never a silent rename.
 *
 * The parser reads ustar, GNU (long names and link names) and pax headers.
 * Entry types it cannot represent faithfully are refused rather than
 * dropped: GNU sparse files (old and pax forms), multi-volume continuations
 * and unknown types. Pure metadata entries (tape volume headers, Solaris
 * ACLs, inode records) are skipped, as GNU tar does.
 */
import { Parser, type ReadEntry } from 'tar';
import { NomiaError } from '../../namespace/index.js';
import type { SafeTree } from './safe-tree.js';

/** Types that carry only metadata: skipped. */
const METADATA = new Set(['TapeVolumeHeader', 'SolarisACL', 'Inode']);

export interface ReadTarOptions {
  /** Names the archive in messages. */
  readonly label: string;
  readonly signal?: AbortSignal;
}

/** Feed `chunks` (plain tar bytes) through the parser into `tree`. Resolves when every entry is written. */
export async function readTar(chunks: AsyncIterable<Uint8Array>, tree: SafeTree, options: ReadTarOptions): Promise<void> {
  const { label, signal } = options;
  const format = (why: string, cause?: unknown) => new NomiaError('unpack/format', `${label}: ${why}`, {
    hint: 'is it a tar archive? a damaged or truncated download gives this too', ...(cause === undefined ? {} : { cause }),
  });
  // Never sniff compression here: it was undone before, and a second guess could only mislead.
  const parser = new Parser({ strict: true, zstd: false, brotli: false });
  let failure: unknown;
  let current: ReadEntry | undefined;
  let settle: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const fail = (e: unknown) => {
    if (failure !== undefined) return;
    failure = e;
    // An entry half-read would wait forever for data that will not come.
    current?.destroy();
    settle();
  };

  const handle = async (entry: ReadEntry): Promise<void> => {
    if (failure !== undefined || signal?.aborted) {
      entry.resume();
      return;
    }
    const raw = entry.path;
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        current = entry;
        const written = await tree.file(raw, ((entry.mode ?? 0) & 0o100) !== 0, () => entry);
        current = undefined;
        if (!written) entry.resume();
        return;
      }
      case 'Directory':
      case 'GNUDumpDir':
        entry.resume();
        tree.dir(raw);
        return;
      case 'SymbolicLink':
        entry.resume();
        tree.symlink(raw, entry.linkpath ?? '');
        return;
      case 'Link':
        entry.resume();
        tree.hardLink(raw, entry.linkpath ?? '');
        return;
      case 'CharacterDevice':
        entry.resume();
        tree.special(raw, 'a character device');
        return;
      case 'BlockDevice':
        entry.resume();
        tree.special(raw, 'a block device');
        return;
      case 'FIFO':
        entry.resume();
        tree.special(raw, 'a FIFO');
        return;
      default:
        entry.resume();
        throw format(`the entry ${JSON.stringify(raw)} has the type ${entry.type}, which Nomia cannot unpack faithfully`);
    }
  };

  let chain = Promise.resolve();
  let entries = 0;
  parser.on('entry', (entry: ReadEntry) => {
    entries++;
    chain = chain.then(() => handle(entry)).catch((e: unknown) => {
      entry.resume();
      fail(e);
    });
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (entry.meta) fail(format(`a metadata entry before ${JSON.stringify(entry.path)} is larger than 1 MiB`));
    else if (entry.type === 'SparseFile') fail(format(`the entry ${JSON.stringify(entry.path)} is a GNU sparse file, which Nomia does not unpack`));
    else if (!METADATA.has(entry.type)) fail(format(`the entry ${JSON.stringify(entry.path)} has the type ${entry.type}, which Nomia cannot unpack faithfully`));
  });
  parser.on('meta', (text: string) => {
    // pax sparse files (GNU.sparse.*) look like regular files to the parser: their data would be the sparse map.
    if (/(^|\n)\d+ GNU\.sparse\./.test(text)) fail(format('the archive holds a GNU sparse file (pax form), which Nomia does not unpack'));
  });
  // Two zero blocks and nothing else: an empty archive (what `tar -c -T /dev/null` writes), which the parser calls unrecognized.
  let sawEnd = false;
  parser.on('eof', () => {
    sawEnd = true;
  });
  parser.on('error', (e: Error) => {
    if (entries === 0 && sawEnd && /Unrecognized archive format/.test(e.message)) return;
    const why = e.message.replace(/^TAR_[A-Z_]+: /, '');
    // Before any entry, a bad header means the data is not a tar at all.
    fail(format(entries === 0 ? `not a tar archive (${why})` : why, e));
  });
  parser.on('end', () => settle());

  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      signal?.throwIfAborted();
      if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), stopped]);
      }
    }
    if (failure === undefined) {
      parser.end();
      await stopped;
    }
  } catch (e) {
    fail(e);
  }
  await chain;
  if (failure !== undefined) throw failure;
  tree.finish();
}
