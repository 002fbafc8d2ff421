/**
 * Writing archive entries into a directory without ever writing outside it.
 *
 * Every entry is checked against a model of what has been written so far
 * before anything touches the disk:
 *
 * - its name must be relative and free of `..` components (and of NUL);
 * - every directory on the way must be a directory this tree created, never
 *   a symlink (a later entry writing through an earlier link is the classic
 *   escape) and never a file;
 * - a symlink's target must resolve inside the tree, following the links the
 *   tree holds; because a later entry can change what an earlier link
 *   resolves to, every link is checked again in `finish()`;
 * - a hard link must point to a regular file this tree already extracted;
 * - devices and FIFOs are refused.
 *
 * Files are created with O_EXCL (which never follows a symlink), links with
 * symlink(2)/link(2), which do not follow the last component either, so the
 * model and the disk cannot disagree about where a write lands. A later entry
 * of the same name replaces an earlier file or link, as GNU tar does.
 *
 * `strip` drops leading name components as GNU tar's --strip-components does:
 * components are counted as written (`./` counts as one), entries with no
 * more components are skipped, and hard-link targets are stripped alike.
 */
import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, unlinkSync, writeSync, constants as C } from 'node:fs';
import { join } from 'node:path';
import { checkPathLimits, NomiaError } from '../../namespace/index.js';

type Kind = 'dir' | 'file' | 'symlink';

/** Symlinks followed while resolving one target before it counts as a loop (Linux's limit). */
const MAX_HOPS = 40;

export interface SafeTreeOptions {
  /** Leading components to drop from every name (GNU tar --strip-components). */
  readonly strip: number;
  /** Names the archive in messages, e.g. `unpack:tar of x.tar.gz`. */
  readonly label: string;
}

/** What was written, for a log line. */
export interface TreeStats {
  files: number;
  bytes: number;
  dirs: number;
  links: number;
}

/** `3 files (1234 bytes), 1 directory, 0 symlinks`: a summary for the node's log. */
export function describeStats(s: TreeStats): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${count(s.files, 'file', 'files')} (${count(s.bytes, 'byte', 'bytes')}), ${count(s.dirs, 'directory', 'directories')}, ${count(s.links, 'symlink', 'symlinks')}`;
}

export class SafeTree {
  private readonly kinds = new Map<string, Kind>([['', 'dir']]);
  private readonly links = new Map<string, string>();
  /** The entry name each link came from, for messages from `finish()`. */
  private readonly linkEntries = new Map<string, string>();
  readonly stats: TreeStats = { files: 0, bytes: 0, dirs: 0, links: 0 };

  /** `root` must exist and be empty. */
  constructor(private readonly root: string, private readonly options: SafeTreeOptions) {}

  /** A directory entry. */
  dir(raw: string): void {
    const rel = this.place(raw);
    if (rel === undefined || rel === '') return;
    this.parents(raw, rel);
    const existing = this.kinds.get(rel);
    if (existing === 'dir') return;
    if (existing) this.remove(rel);
    mkdirSync(this.abs(rel), 0o755);
    this.kinds.set(rel, 'dir');
    this.stats.dirs++;
  }

  /**
   * A regular file. `content` is called only if the entry is written; returns
   * false when `strip` drops it (the caller then discards the data).
   */
  async file(raw: string, executable: boolean, content: () => AsyncIterable<Uint8Array>): Promise<boolean> {
    const rel = this.prepare(raw, 'a file');
    if (rel === undefined) return false;
    // O_EXCL: fails rather than follow a symlink that might be there.
    const fd = openSync(this.abs(rel), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, executable ? 0o755 : 0o644);
    this.kinds.set(rel, 'file');
    try {
      for await (const chunk of content()) {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
        this.stats.bytes += chunk.length;
      }
    } finally {
      closeSync(fd);
    }
    this.stats.files++;
    return true;
  }

  /** A symbolic link; its target must stay inside the tree. */
  symlink(raw: string, target: string): void {
    if (target === '') throw this.unsafe(raw, 'it is a symlink with an empty target');
    if (target.includes('\0')) throw this.unsafe(raw, 'its link target contains a NUL byte');
    const rel = this.prepare(raw, 'a symlink');
    if (rel === undefined) return;
    const why = this.escapes(rel, target);
    if (why) throw this.unsafe(raw, `it is a symlink to ${JSON.stringify(target)}, which ${why}`);
    symlinkSync(target, this.abs(rel));
    this.kinds.set(rel, 'symlink');
    this.links.set(rel, target);
    this.linkEntries.set(rel, raw);
    this.stats.links++;
  }

  /** A hard link to a file extracted earlier from the same archive. */
  hardLink(raw: string, rawTarget: string): void {
    const rel = this.place(raw);
    if (rel === undefined) return;
    if (rawTarget.startsWith('/')) throw this.unsafe(raw, `it is a hard link to the absolute path ${JSON.stringify(rawTarget)}`);
    const components = rawTarget.split('/');
    if (components.includes('..')) throw this.unsafe(raw, `it is a hard link to ${JSON.stringify(rawTarget)}, which has a \`..\` component`);
    const target = this.strip(components);
    const kind = target === undefined ? undefined : this.kinds.get(target);
    if (target === undefined || kind === undefined) {
      throw this.unsafe(raw, `it is a hard link to ${JSON.stringify(rawTarget)}, which is not a file extracted before it`);
    }
    if (kind !== 'file') throw this.unsafe(raw, `it is a hard link to ${JSON.stringify(rawTarget)}, which is a ${kind === 'dir' ? 'directory' : 'symlink'}, not a regular file`);
    if (target === rel) return;
    this.prepare(raw, 'a hard link', rel);
    linkSync(this.abs(target), this.abs(rel));
    this.kinds.set(rel, 'file');
    this.stats.files++;
  }

  /** A device, FIFO or socket entry: never extracted. */
  special(raw: string, what: string): never {
    throw this.unsafe(raw, `it is ${what}; archives may hold only files, directories and links`);
  }

  /**
   * Check every symlink again against the finished tree: a link that was
   * safe when written can be made to escape by a later entry (a directory
   * name it passes through turned into a link to `..`-prone places).
   */
  finish(): void {
    for (const [rel, target] of this.links) {
      const why = this.escapes(rel, target);
      if (why) throw this.unsafe(this.linkEntries.get(rel)!, `it is a symlink to ${JSON.stringify(target)}, which ${why} once the whole archive is unpacked`);
    }
  }

  /** The relative path an entry lands on (`''` for the root), or undefined when strip drops it. */
  private place(raw: string): string | undefined {
    if (raw.includes('\0')) throw this.unsafe(raw, 'its name contains a NUL byte');
    if (raw.startsWith('/')) throw this.unsafe(raw, 'it is an absolute path');
    const components = raw.split('/');
    if (components.includes('..')) throw this.unsafe(raw, 'its name has a `..` component');
    const rel = this.strip(components);
    // Refused before anything that deep is written: the tree is bound for the store.
    if (rel) checkPathLimits(rel.split('/').length, Buffer.byteLength(rel), `${this.options.label}: the entry ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 40)}…${raw.slice(-40)}` : raw)}`);
    return rel;
  }

  private strip(components: readonly string[]): string | undefined {
    // As GNU tar counts: runs of slashes are one separator, `.` is a component.
    const named = components.filter((c) => c !== '');
    if (named.length <= this.options.strip && this.options.strip > 0) return undefined;
    return named.slice(this.options.strip).filter((c) => c !== '.').join('/');
  }

  /** Place a non-directory entry: parents made, an earlier file or link of that name removed. */
  private prepare(raw: string, what: string, known?: string): string | undefined {
    const rel = known ?? this.place(raw);
    if (rel === undefined) return undefined;
    if (rel === '') throw this.unsafe(raw, `it is ${what} in the place of the output directory itself`);
    this.parents(raw, rel);
    const existing = this.kinds.get(rel);
    if (existing === 'dir') throw new NomiaError('unpack/format', `${this.options.label}: entry ${JSON.stringify(raw)} would replace the directory ${JSON.stringify(rel)} with ${what}`, { hint: 'the archive is inconsistent; GNU tar would refuse it too' });
    if (existing) this.remove(rel);
    return rel;
  }

  /** Make the directories above `rel`; each must be a real directory of this tree. */
  private parents(raw: string, rel: string): void {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const kind = this.kinds.get(prefix);
      if (kind === 'dir') continue;
      if (kind === 'symlink') throw this.unsafe(raw, `it would be written through the symlink ${JSON.stringify(prefix)}`);
      if (kind === 'file') throw new NomiaError('unpack/format', `${this.options.label}: entry ${JSON.stringify(raw)} is inside ${JSON.stringify(prefix)}, which is a file`, { hint: 'the archive is inconsistent' });
      mkdirSync(this.abs(prefix), 0o755);
      this.kinds.set(prefix, 'dir');
      this.stats.dirs++;
    }
  }

  /** Remove an earlier file or symlink (directories are never replaced: see `prepare`). */
  private remove(rel: string): void {
    unlinkSync(this.abs(rel));
    this.kinds.delete(rel);
    this.links.delete(rel);
    this.linkEntries.delete(rel);
  }

  /**
   * Why the link at `rel` to `target` leaves the tree, or undefined if it
   * stays inside. Resolves like the kernel, through the links the tree holds;
   * names not (yet) in the tree count as plain directories.
   */
  private escapes(rel: string, target: string): string | undefined {
    if (target.startsWith('/')) return 'is an absolute path';
    const at = rel.split('/').slice(0, -1);
    let pending = target.split('/');
    let hops = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (at.length === 0) return 'resolves outside the output';
        at.pop();
        continue;
      }
      at.push(c);
      const here = at.join('/');
      const kind = this.kinds.get(here);
      if (kind === 'symlink') {
        if (++hops > MAX_HOPS) return 'is a loop of symbolic links';
        const next = this.links.get(here)!;
        if (next.startsWith('/')) return 'resolves outside the output';
        at.pop();
        pending = [...next.split('/'), ...pending];
      } else if (kind === 'file' && pending.some((p) => p !== '' && p !== '.')) {
        // The kernel stops here with ENOTDIR: nothing beyond a file is reached.
        return undefined;
      }
    }
    return undefined;
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  private unsafe(raw: string, why: string): NomiaError {
    return new NomiaError('unpack/unsafe-entry', `${this.options.label}: refused the entry ${JSON.stringify(raw)}: ${why}`, {
      hint: 'an archive entry must stay inside the output directory; this archive is broken or malicious (nothing was stored)',
    });
  }
}
