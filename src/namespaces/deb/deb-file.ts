/**
 * A `.deb` file into a tree: its SHA-256 checked first, then the ar
 * archive's `data.tar.*` unpacked with the unpack namespace's safe
 * extraction (every entry checked before it touches the disk). The control
 * archive and its maintainer scripts are not read, let alone run.
 *
 * The tree is laid out as on a merged-/usr system (Debian 12's default):
 * what a package ships under `/bin`, `/sbin` and `/lib*` lands under
 * `usr/`, so every package's tree, and a root merged from many, agree on
 * where a file is. Absolute link targets (`/lib/x86_64-linux-gnu/libc.so.6`)
 * become relative ones (`../../lib/…`), so a tree is right wherever it lies
 * and never points outside itself.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { posix } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { decompressed, detect } from '../unpack/decompress.js';
import { SafeTree, type TreeStats } from '../unpack/safe-tree.js';
import { readTar } from '../unpack/tar.js';
import { arMembers } from './ar.js';

/** The top-level directories a merged-/usr system keeps under `usr/` (and links back from `/`). */
export const MERGED_DIRS: readonly string[] = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'libo32'];

/** SHA-256 (hex) of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Components of a root-relative path, `.` and empty ones dropped, `..` applied (at `/` it stays at `/`, as the kernel does). */
function resolveComponents(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of parts) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** `bin/x` → `usr/bin/x`; other paths as they are. */
function merged(parts: readonly string[]): string[] {
  return parts.length > 0 && MERGED_DIRS.includes(parts[0]!) ? ['usr', ...parts] : [...parts];
}

/** An entry name as a merged-/usr system holds it; names SafeTree must refuse (`..`, absolute) are left for it to refuse. */
export function mergedEntry(raw: string): string {
  if (raw.startsWith('/') || raw.includes('\0')) return raw;
  const parts = raw.split('/');
  if (parts.includes('..')) return raw;
  return merged(parts.filter((c) => c !== '' && c !== '.')).join('/');
}

/**
 * The target a link at entry `raw` gets in the merged tree: absolute targets
 * and targets of links that moved are resolved as dpkg would find them
 * under `/`, moved alike, and written relative to the link's new place.
 */
export function mergedTarget(raw: string, target: string): string {
  const at = raw.split('/').filter((c) => c !== '' && c !== '.');
  const moved = at.length > 0 && MERGED_DIRS.includes(at[0]!);
  if (!target.startsWith('/') && !moved) return target;
  const base = target.startsWith('/') ? [] : at.slice(0, -1);
  const dest = merged(resolveComponents([...base, ...target.split('/')]));
  const rel = posix.relative(merged(at).slice(0, -1).join('/') || '.', dest.join('/') || '.');
  return rel === '' ? '.' : rel;
}

/** SafeTree with names and link targets moved to the merged-/usr layout. */
class MergedUsrTree extends SafeTree {
  override dir(raw: string): void {
    super.dir(mergedEntry(raw));
  }
  override file(raw: string, executable: boolean, content: () => AsyncIterable<Uint8Array>): Promise<boolean> {
    return super.file(mergedEntry(raw), executable, content);
  }
  override symlink(raw: string, target: string): void {
    super.symlink(mergedEntry(raw), target === '' || target.includes('\0') ? target : mergedTarget(raw, target));
  }
  override hardLink(raw: string, rawTarget: string): void {
    super.hardLink(mergedEntry(raw), mergedEntry(rawTarget));
  }
}

export interface UnpackDebOptions {
  /** Names the package in messages. */
  readonly label: string;
  readonly signal?: AbortSignal;
}

/**
 * Check `file`'s SHA-256 against `sha256`, then unpack its data into
 * `dest` (which must not exist yet). A mismatch is `deb/hash-mismatch`
 * and nothing is written.
 */
export async function unpackDeb(file: string, sha256: string, dest: string, options: UnpackDebOptions): Promise<TreeStats> {
  const { label, signal } = options;
  const got = await sha256File(file);
  if (got !== sha256) {
    throw new NomiaError('deb/hash-mismatch', `${label}: the downloaded file's SHA-256 is ${got}, not ${sha256}; nothing was stored`, {
      hint: 'the download was damaged or tampered with, or the sha256 in the name is wrong; realize deb:latest?package=… to learn the archive\'s',
    });
  }
  const data = arMembers(file, label).find((m) => m.name.startsWith('data.tar'));
  if (!data) throw new NomiaError('deb/format', `${label}: the package has no data.tar member`, { hint: 'the file is not a Debian binary package' });
  // Read in place from the .deb: a copy of the member would be written and deleted again for nothing.
  const compression = detect(file, data);
  if (compression === 'zip' || compression === 'lzip' || compression === 'lz4' || compression === 'compress') {
    throw new NomiaError('deb/format', `${label}: ${data.name} is ${compression} data, which a .deb does not hold`, { hint: 'the file is damaged' });
  }
  mkdirSync(dest);
  const tree = new MergedUsrTree(dest, { strip: 0, label });
  await readTar(decompressed(file, compression, label, signal, data), tree, { label, ...(signal ? { signal } : {}) });
  return tree.stats;
}
