/**
 * Content hashing modulo self-reference (DESIGN.md §6). A build output may
 * contain its own path (a script that calls a sibling file, an rpath), but
 * its path depends on its hash: a circle. It is broken the way Nix breaks it
 * for content-addressed derivations: the output is built under a placeholder
 * path of the final length, hashed with every occurrence of the placeholder's
 * hash part blanked, and then rewritten to its final path.
 *
 * The rule (docs/spec/nar.md, "Self-references"): an object's hash is the
 * SHA-256 of its NAR when the NAR does not contain the object's own hash
 * part; otherwise it is the SHA-256 of the NAR with each occurrence replaced
 * by 52 NUL bytes, followed by `\nself-references:` and the NAR offsets of
 * the occurrences in decimal, comma-separated. The offsets keep two outputs
 * that differ only where one has a self-reference and the other literal NUL
 * bytes apart.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { contentHashFromDigest, type ContentHash } from './hash.js';
import { dumpPath, restoreNar } from './nar.js';
import { HASH_PART_LENGTH, HashPartScanner } from './scan.js';

const BLANK = Buffer.alloc(HASH_PART_LENGTH, 0);

/**
 * Replaces fixed-length strings in a byte stream, wherever chunk boundaries
 * fall, and remembers the offsets at which each key was found.
 */
export class Rewriter {
  private carry = Buffer.alloc(0);
  private emitted = 0;
  private readonly keys: { from: Buffer; to: Buffer }[];
  /** Offsets (in the whole stream) of each key's occurrences, by key. */
  readonly offsets = new Map<string, number[]>();

  constructor(rewrites: ReadonlyMap<string, Buffer | string>) {
    this.keys = [...rewrites].map(([from, to]) => {
      const f = Buffer.from(from, 'latin1');
      const t = typeof to === 'string' ? Buffer.from(to, 'latin1') : to;
      if (f.length !== HASH_PART_LENGTH || t.length !== HASH_PART_LENGTH) throw new Error('rewrites must keep the length of a hash part');
      this.offsets.set(from, []);
      return { from: f, to: t };
    });
  }

  /** Rewrites `chunk` (copied; it may be reused by the caller) and returns what is final so far. */
  push(chunk: Uint8Array): Buffer {
    const buf = Buffer.concat([this.carry, chunk]);
    for (const k of this.keys) {
      const list = this.offsets.get(k.from.toString('latin1'))!;
      for (let i = buf.indexOf(k.from); i !== -1; i = buf.indexOf(k.from, i + HASH_PART_LENGTH)) {
        list.push(this.emitted + i);
        k.to.copy(buf, i);
      }
    }
    // A key may begin in the last 51 bytes and end in the next chunk: hold them back.
    const keep = Math.min(buf.length, HASH_PART_LENGTH - 1);
    const out = buf.subarray(0, buf.length - keep);
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
    this.emitted += out.length;
    return out;
  }

  end(): Buffer {
    const out = this.carry;
    this.carry = Buffer.alloc(0);
    this.emitted += out.length;
    return out;
  }
}

export interface ModuloHash {
  readonly hash: ContentHash;
  readonly narSize: number;
  /** NAR offsets of the self-references; empty when there are none (the hash is then the plain NAR hash). */
  readonly selfReferences: readonly number[];
  /** The candidates (hash parts) found in the object, the self part excluded. */
  readonly references: ReadonlySet<string>;
}

/**
 * The hash of the object at `path` modulo its own hash part `selfPart`
 * (see the rule above). Also scans for `candidates`, the hash parts of
 * objects it may refer to, in the same pass.
 */
export async function hashModulo(path: string, selfPart: string, candidates: Iterable<string> = []): Promise<ModuloHash> {
  const h = createHash('sha256');
  const rw = new Rewriter(new Map([[selfPart, BLANK]]));
  const scan = new HashPartScanner([...candidates].filter((c) => c !== selfPart));
  const { narSize } = await dumpPath(path, (chunk) => {
    scan.push(chunk);
    h.update(rw.push(chunk));
  });
  h.update(rw.end());
  const selfReferences = rw.offsets.get(selfPart)!;
  if (selfReferences.length > 0) h.update(`\nself-references:${selfReferences.join(',')}`);
  return { hash: contentHashFromDigest(h.digest()), narSize, selfReferences, references: scan.found() };
}

/**
 * Copy the object at `src` to `dest` (which must not exist) through its NAR,
 * replacing hash parts as `rewrites` says. The NAR goes through a file next
 * to `dest`, so memory stays bounded whatever the object's size.
 */
export async function rewriteTree(src: string, dest: string, rewrites: ReadonlyMap<string, string>, scratch: string): Promise<void> {
  const rw = new Rewriter(rewrites);
  // The dump's sink is synchronous: write synchronously, so memory holds one chunk at a time.
  const fd = openSync(scratch, 'w');
  try {
    await dumpPath(src, (chunk) => {
      const out = rw.push(chunk);
      if (out.length) writeSync(fd, out);
    });
    writeSync(fd, rw.end());
  } finally {
    closeSync(fd);
  }
  await restoreNar(createReadStream(scratch, { highWaterMark: 1 << 20 }), dest);
}
