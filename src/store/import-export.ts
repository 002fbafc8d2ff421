/**
 * Importing an export (grammar in export.ts, `docs/spec/export.md`): each
 * object is unpacked into tmp/, checked against the hash and path the
 * export claims (modulo its self-references, as verify checks it), and
 * committed with its references, which must be registered by then (earlier
 * in the export, or in the store already). A corrupt export is refused at
 * the first bad byte; the objects before it stay (each is complete and
 * checked), nothing of the bad one does.
 */
import { commitObject, tmpName, withWorkDir, type CommitRequest, type CommitResult } from './commit.js';
import { removeTree, syncFileSystem } from './fs-util.js';
import { ioError } from './layout.js';
import { NarReader, narCorrupt, restoreNar, restoreNext } from './nar-restore.js';
import { checkRootName } from './roots.js';
import { HASH_PART_LENGTH } from './scan.js';
import { hashModulo } from './self-reference.js';
import { objectPath, parseObjectPath } from './store-path.js';
import type { Store } from './store.js';
import { EXPORT_MAGIC } from './export.js';
import type { ContentHash } from './hash.js';

export interface ImportExportOptions {
  /** Also create an absolute root with this name on the last object of the export (the one asked for). */
  readonly root?: string;
}

/** A store entry name: 52 base32, `-`, at most 211 name bytes. */
const MAX_PATH = HASH_PART_LENGTH + 1 + 211;
const MAX_REFERENCES = 1 << 20;

/** Read an export from `source` (its magic included) and add its objects, in order. */
export async function importExport(store: Store, source: AsyncIterable<Uint8Array>, options: ImportExportOptions = {}): Promise<CommitResult[]> {
  const it = source[Symbol.asyncIterator]();
  const r = new NarReader(it);
  const results: CommitResult[] = [];
  let ok = false;
  try {
    const magic = await r.token();
    if (magic.word !== EXPORT_MAGIC) throw narCorrupt(magic.at, `not a nomia export (the magic is ${JSON.stringify(magic.word)})`);
    for (;;) {
      const at = r.offset;
      const marker = await r.length('an item marker');
      if (marker === 0) break;
      if (marker !== 1) throw narCorrupt(at, `expected an item marker 0 or 1, found ${marker}`);
      results.push(await importItem(store, r));
    }
    const end = r.offset;
    if (await r.trailing()) throw narCorrupt(end, 'trailing bytes after the end of the export');
    ok = true;
  } finally {
    if (!ok && !r.done) await Promise.resolve(it.return?.()).catch(() => undefined);
  }
  const root = options.root;
  const last = results[results.length - 1];
  if (root !== undefined && last) {
    checkRootName(root);
    store.db.immediate(() => store.db.putRoot({ name: root, object: last.object.path, kind: 'absolute', createdAt: Date.now() }));
  }
  return results;
}

async function importItem(store: Store, r: NarReader): Promise<CommitResult> {
  await r.expect('object');
  const pathAt = r.offset;
  const path = (await r.string(MAX_PATH, 'an object path')).toString('latin1');
  const parsed = parseObjectPath(path);
  if (!parsed) throw narCorrupt(pathAt, `${JSON.stringify(path)} is not an object path (<52 base32 characters>-<name>)`);
  const hashAt = r.offset;
  const hash = (await r.string(64, 'a hash')).toString('latin1');
  if (!/^[0-9a-f]{64}$/.test(hash) || objectPath(hash as ContentHash, parsed.name) !== path) {
    throw narCorrupt(hashAt, `the hash ${JSON.stringify(hash)} is not the lowercase hex hash of ${path}`);
  }
  const countAt = r.offset;
  const count = await r.length('a reference count');
  if (count > MAX_REFERENCES) throw narCorrupt(countAt, `${count} references are too many`);
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const ref = (await r.string(MAX_PATH, 'a reference')).toString('latin1');
    if (!parseObjectPath(ref) || ref === path) throw narCorrupt(at, `${JSON.stringify(ref)} is not a reference to another object`);
    if (references.length && Buffer.compare(Buffer.from(references[references.length - 1]!), Buffer.from(ref)) >= 0) {
      throw narCorrupt(at, 'references out of order or repeated');
    }
    references.push(ref);
  }
  const narAt = r.offset;
  return withWorkDir(store, async (work, tree) => {
    await restoring(tree, () => restoreNext(r, tree, 'canonical'));
    const actual = await checkTree(tree, { path, name: parsed.name, hash, references }, narAt, 'the export');
    if (store.fsync) syncFileSystem(work);
    return commitObject(store, { tree, hash: actual.hash, narSize: actual.narSize, name: parsed.name, references });
  });
}

/** What an imported object claims: its path, name, hash (lowercase hex) and references. */
export interface ImportItem {
  readonly path: string;
  readonly name: string;
  readonly hash: string;
  readonly references: readonly string[];
}

/** Run a restore into the store's tmp/, with a full or read-only disk said as such. */
async function restoring<T>(tree: string, restore: () => Promise<T>): Promise<T> {
  try {
    return await restore();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS') throw ioError(e, tree, 'write into the store');
    throw e;
  }
}

/**
 * Check a restored tree against the hash its item claims (`claimedBy` says who claims it, for the
 * refusal), returning its hash and NAR size as verify takes them. `plain`: the SHA-256 of the NAR bytes
 * it was restored from, when known. The restore accepts only canonical NARs, so a tree restored from bytes
 * hashing to the claimed hash is that object, and is not read again; otherwise (a self-referring object,
 * or bytes that do not match) the tree is hashed as verify takes it.
 */
async function checkTree(tree: string, item: ImportItem, narAt: number, claimedBy: string, plain?: { hash: string; narSize: number }): Promise<{ hash: ContentHash; narSize: number }> {
  // The hash as verify takes it: modulo the object's own hash part, which is its plain NAR hash when it has none.
  const actual = plain?.hash === item.hash ? plain : await hashModulo(tree, item.path.slice(0, HASH_PART_LENGTH));
  if (actual.hash !== item.hash) throw narCorrupt(narAt, `the NAR of ${item.path} has the hash ${actual.hash}, not the ${item.hash} ${claimedBy} gives`);
  return { hash: actual.hash as ContentHash, narSize: actual.narSize };
}

/** How `importNar` may be run beside other imports. */
export interface ImportNarOptions {
  /**
   * Awaited once the object is restored and checked, just before it is committed: imports restored in
   * parallel wait here for the objects they refer to. A throw abandons the import (nothing of it stays).
   */
  readonly beforeCommit?: () => Promise<void>;
  /**
   * Flush the filesystem holding `dir` to disk (default `syncFileSystem`, one `sync -f` per object):
   * several imports may share one flush, as long as it starts after their trees are complete.
   */
  readonly flush?: (dir: string) => void | Promise<void>;
  /**
   * Commit the checked tree (default: `flush`, then `commitObject`). A caller committing many imports in
   * groups (`commitObjects`, commit-group.ts) flushes them itself. On a rejection the tree, if still in
   * tmp/, is removed.
   */
  readonly commit?: (req: CommitRequest) => Promise<CommitResult>;
  /**
   * Unpack the NAR at `dest` as `restoreNar(source, dest, 'canonical')` does (the store's metadata, no pass
   * after it; default that `restoreNar`; a caller may run it on another thread).
   */
  readonly restore?: (source: AsyncIterable<Uint8Array>, dest: string) => Promise<{ narSize: number; hash: ContentHash }>;
  /** Who gives `item.hash`, for the message refusing bytes that do not match it (default `the caller`). */
  readonly claimedBy?: string;
}

/**
 * Add one object from its NAR (what a binary cache sends: a stream, or the pieces it came in), as
 * `importExport` adds an item: restored straight into a fresh name in tmp/ (no work directory) with the
 * store's metadata, checked against `item.hash` (modulo its self-references), committed with its
 * references, which must be registered by then. The NAR is hashed as it is parsed, so an object without
 * self-references is not read back from disk. Throws `nar/corrupt` for a NAR that is not canonical or
 * whose hash differs; nothing of it stays: whatever of it is in tmp/ is removed before this settles.
 */
export async function importNar(store: Store, item: ImportItem, nar: readonly Buffer[] | AsyncIterable<Uint8Array>, options: ImportNarOptions = {}): Promise<CommitResult> {
  if (objectPath(item.hash as ContentHash, item.name) !== item.path) {
    throw narCorrupt(0, `the hash ${JSON.stringify(item.hash)} is not the lowercase hex hash of ${item.path}`);
  }
  const source = Array.isArray(nar) ? one(nar as readonly Buffer[]) : nar as AsyncIterable<Uint8Array>;
  const tree = tmpName(store);
  try {
    const plain = await restoring(tree, () => (options.restore ?? restoreCanonical)(source, tree));
    const actual = await checkTree(tree, item, 0, options.claimedBy ?? 'the caller', plain);
    await options.beforeCommit?.();
    const req: CommitRequest = { tree, hash: actual.hash, narSize: actual.narSize, name: item.name, references: item.references };
    if (options.commit) return await options.commit(req);
    if (store.fsync) await (options.flush ?? syncFileSystem)(store.layout.tmpDir);
    return commitObject(store, req);
  } finally {
    // Whatever is left of it in tmp/: a refused or uncommitted tree, or one not needed (the object was
    // there already); a committed one has moved (then this is one lstat). Synchronously, before the
    // import settles, not in the background until the realize ends: whoever sees the outcome (a caller
    // looking at tmp/, a process about to exit) finds nothing left of it.
    try {
      removeTree(tree);
    } catch {
      // A leftover for gc, not a reason to fail (nor to hide the import's own error).
    }
  }
}

const restoreCanonical = (source: AsyncIterable<Uint8Array>, dest: string) => restoreNar(source, dest, 'canonical');

async function* one(chunks: readonly Buffer[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

/**
 * Tell a NAR from an export by the magic string both start with, without
 * losing a byte: returns the format and a stream that yields everything,
 * the bytes looked at included. Input without a single byte is `empty`: it
 * is neither, and usually means nothing was piped in, which deserves a
 * better word than a NAR error at byte 0.
 */
export async function sniffFormat(source: AsyncIterable<Uint8Array>): Promise<{ format: 'nar' | 'export' | 'empty'; stream: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let have = 0;
  let ended = false;
  // u64 length, then the magic: "nix-archive-1" or "nomia-export-1", padded to 16.
  while (have < 24) {
    const r = await it.next();
    if (r.done === true) {
      ended = true;
      break;
    }
    head.push(r.value);
    have += r.value.length;
  }
  const first = Buffer.concat(head);
  const format = first.length === 0 ? 'empty' : first.subarray(8, 8 + EXPORT_MAGIC.length).toString('latin1') === EXPORT_MAGIC ? 'export' : 'nar';
  async function* stream(): AsyncGenerator<Uint8Array> {
    if (first.length) yield first;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  return { format, stream: stream() };
}
