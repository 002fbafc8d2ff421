/**
 * Where an object's content mentions another object (`nix why-depends
 * --precise`): each file of the object that holds the other's hash part,
 * with a little of the text around the first mention, and each symlink whose
 * target holds it.
 */
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { hashPart, HASH_PART_LENGTH } from '../scan.js';
import { realPath, type Store } from '../store.js';

/** One place an object mentions another. */
export interface ReferenceSite {
  /** The file inside the object (`''`: the object itself, a single file or symlink). */
  readonly file: string;
  /** The bytes around the first mention, as text: unprintable bytes are shown as `.`. */
  readonly excerpt: string;
}

/** Bytes of context shown on each side of a mention. */
const CONTEXT = 30;
const CHUNK = 1 << 20;

function excerptOf(bytes: Buffer, at: number): string {
  const start = Math.max(0, at - CONTEXT);
  const text = bytes.subarray(start, Math.min(bytes.length, at + HASH_PART_LENGTH + CONTEXT)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${start > 0 ? '…' : ''}${text}${at + HASH_PART_LENGTH + CONTEXT < bytes.length ? '…' : ''}`;
}

/** The first mention of `needle` in the file at `path`, read in chunks that overlap by a mention's length. */
function firstMention(path: string, needle: Buffer): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(CHUNK + 2 * CONTEXT + HASH_PART_LENGTH);
    let kept = 0;
    for (;;) {
      const n = readSync(fd, buf, kept, CHUNK, null);
      const window = buf.subarray(0, kept + n);
      const at = window.indexOf(needle);
      if (at >= 0) {
        // Read a little further, so the excerpt has its context after the mention too.
        const more = readSync(fd, buf, kept + n, Math.min(CONTEXT, buf.length - kept - n), null);
        return excerptOf(buf.subarray(0, kept + n + more), at);
      }
      if (n === 0) return undefined;
      kept = Math.min(window.length, HASH_PART_LENGTH + CONTEXT);
      window.copy(buf, 0, window.length - kept);
    }
  } finally {
    closeSync(fd);
  }
}

/** The places in the object `from` (a store entry) that mention the object `to`, in path order. */
export function referenceSites(store: Store, from: string, to: string): ReferenceSite[] {
  const needle = Buffer.from(hashPart(to), 'latin1');
  const sites: ReferenceSite[] = [];
  const visit = (path: string, rel: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) {
      // A link's target is short: it is shown whole.
      const target = readlinkSync(path, { encoding: 'buffer' });
      if (target.includes(needle)) sites.push({ file: rel, excerpt: `-> ${target.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}` });
    } else if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name), rel ? `${rel}/${name}` : name);
    } else {
      const excerpt = firstMention(path, needle);
      if (excerpt !== undefined) sites.push({ file: rel, excerpt });
    }
  };
  visit(realPath(store, from), '');
  return sites;
}
