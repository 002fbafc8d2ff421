/**
 * Unpacking an archive file into a fresh directory: the one entry point that
 * `unpack:tar`, `unpack:zip`, `fetch:url?…&unpack=true` and
 * `nomia hash file --unpack` share, so that all of them produce the same tree
 * (and hence the same hash) from the same bytes.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { decompressed, detect } from './decompress.js';
import { SafeTree, type TreeStats } from './safe-tree.js';

/** `auto` takes a zip for a zip (by its magic bytes) and anything else for a tar. */
export type ArchiveFormat = 'tar' | 'zip' | 'auto';

export interface UnpackOptions {
  readonly format: ArchiveFormat;
  /** Leading name components to drop (GNU tar --strip-components); default 0. */
  readonly strip?: number;
  /** Names the archive in messages, e.g. `unpack:tar of x.tar.gz`. */
  readonly label: string;
  readonly signal?: AbortSignal;
}

/**
 * Unpack `file` into `dest`, which must not exist yet. Throws
 * `unpack/unsafe-entry` for an entry that would land outside `dest` and
 * `unpack/format` for data that is not a readable archive; on a throw, what
 * was written so far is left for the caller to remove.
 */
export async function unpackArchive(file: string, dest: string, options: UnpackOptions): Promise<TreeStats> {
  const { label, signal } = options;
  const detected = detect(file);
  const format = options.format === 'auto' ? (detected === 'zip' ? 'zip' : 'tar') : options.format;
  if (detected === 'lzip' || detected === 'lz4' || detected === 'compress') {
    throw new NomiaError('unpack/format', `${label}: the file is ${detected}-compressed, which Nomia does not read`, {
      hint: 'gzip, bzip2, xz and zstd are read; recompress it, or unpack it with exec:run',
    });
  }
  if (format === 'tar' && detected === 'zip') {
    throw new NomiaError('unpack/format', `${label}: the file is a zip archive, not a tar`, { hint: 'use unpack:zip(…)' });
  }
  if (format === 'zip' && detected !== 'zip' && detected !== 'none') {
    throw new NomiaError('unpack/format', `${label}: the file is ${detected}-compressed data, not a zip archive`, { hint: 'use unpack:tar(…) for a compressed tar' });
  }
  mkdirSync(dest);
  const tree = new SafeTree(dest, { strip: options.strip ?? 0, label });
  // The archive readers (node-tar, yauzl) load on first use, not with every CLI start.
  if (format === 'zip') {
    const { readZip } = await import('./zip.js');
    await readZip(file, tree, { label, ...(signal ? { signal } : {}) });
  } else {
    const compression = detected === 'zip' ? 'none' : detected;
    const { readTar } = await import('./tar.js');
    await readTar(decompressed(file, compression, label, signal), tree, { label, ...(signal ? { signal } : {}) });
  }
  return tree.stats;
}

/**
 * The root a fetched archive's tree is stored from, as Nix's fetchzip and
 * `nix-prefetch-url --unpack` choose it: when everything is inside one
 * top-level directory, that directory; otherwise the whole output (several
 * entries, a lone file or link, or nothing).
 */
export function singleRoot(dest: string): string {
  const entries = readdirSync(dest, { withFileTypes: true });
  return entries.length === 1 && entries[0]!.isDirectory() ? join(dest, entries[0]!.name) : dest;
}

const ARCHIVE_SUFFIX = /\.(tar\.gz|tar\.bz2|tar\.xz|tar\.zst|tar\.zstd|tar\.lz|tar|tgz|tbz2|tbz|txz|tzst|zip)$/i;

/** `x-1.0.tar.gz` → `x-1.0`: the default name of what an archive unpacks to. */
export function archiveBaseName(name: string): string {
  return name.replace(ARCHIVE_SUFFIX, '');
}
