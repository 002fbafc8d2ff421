/**
 * The store, as a namespace sees it: everything a namespace may do with it
 * (DESIGN.md §10, STYLE rules 1 and 10). A namespace gets the store in
 * `ctx.store` and hands it to these functions; it never opens the store's
 * modules itself, so the store can change below this line without touching
 * a namespace.
 *
 * - **Add** a file or tree from a path (`addObject`), from a stream of bytes
 *   (`addStream`), or a tree built in a work directory of the store
 *   (`withWorkDir`, then `addObject` of a path in it, or `commitTree` for a
 *   tree already in place and hashed). Adding is atomic: a crash leaves
 *   either the whole object or nothing.
 * - **Look up** an object by content (`findObject`: absent is undefined, not
 *   an error; `requireObject`: absent is `store/not-found`), and name a
 *   present one as a resource (`objectResource`) or find its path (`realPath`).
 * - **Read** a path: its content hash (`hashPath`) or its NAR serialization
 *   (`dumpPath`); which object a path lies in (`entryOf`) and what an object
 *   refers to, transitively (`closure`).
 * - **Lock** a file of its own, across processes (`lockFile`), e.g. a cache
 *   under `cacheDir(store, id)`.
 * - **Log** and report progress through `ctx.log` / `ctx.events`, and emit
 *   reductions through `ctx.emitReduction` (namespace/types.ts), not here.
 * - **Build outputs** (the package namespace, which rewrites a build's
 *   self-references and scans for references to other objects) use the
 *   lower-level pieces at the end of this file.
 *
 * Object names and content hashes are checked and converted with the
 * functions re-exported below, so that every namespace spells them alike.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsType, byContentName } from '../resource/names.js';
import type { Resource } from '../resource/types.js';
import type * as Add from '../store/add.js';
import type { ObjectRow } from '../store/database.js';
import type * as ImportPath from '../store/import-path.js';
import type * as Nar from '../store/nar.js';
import type * as SelfReference from '../store/self-reference.js';
import { withWorkDir } from '../store/commit.js';
import { realPath, type Store } from '../store/store.js';

export type { Store } from '../store/store.js';
export type { ObjectRow } from '../store/database.js';
export type { ContentHash } from '../store/hash.js';
export type { FsPath } from '../store/nar.js';
export type { CommitResult } from '../store/commit.js';

/** Add the bytes of `chunks` as a file `name`, streamed through a work directory (never held in memory). */
export async function addStream(store: Store, chunks: AsyncIterable<Uint8Array>, name: string): Promise<ObjectRow> {
  return withWorkDir(store, async (work) => {
    const file = join(work, 'stream');
    await pipeline(Readable.from(chunks), createWriteStream(file));
    return (await addPath(store, file, { name })).object;
  });
}

/** A present object as a resource: named by content, typed by what it is (or `type`, e.g. `dir`). */
export function objectResource(store: Store, object: ObjectRow, type?: string): Resource {
  const path = realPath(store, object);
  return { kind: 'object', type: type ?? fsType(path), name: byContentName(object), path };
}

/** A directory the namespace `id` may keep caches in, inside the store's home (created by whoever uses it). */
export function cacheDir(store: Store, id: string): string {
  return join(store.layout.home, 'cache', id);
}

/*
 * The writers below are loaded on their first call, not with this module: every namespace imports this file,
 * and a process that only looks objects up (a service's `up`, a build whose every node is reused) would
 * otherwise read and compile the add, NAR and import code (docs/engine.md, "What a process pays for").
 */

/** Add the file or tree at `src` to the store (store/add.ts). */
export async function addPath(...args: Parameters<typeof Add.addPath>): ReturnType<typeof Add.addPath> {
  return (await import('../store/add.js')).addPath(...args);
}

/** Import a path, reusing what the stat cache knows of it (store/import-path.ts). */
export async function importPath(...args: Parameters<typeof ImportPath.importPath>): ReturnType<typeof ImportPath.importPath> {
  return (await import('../store/import-path.js')).importPath(...args);
}

/** The content hash and NAR size of `path` (store/nar.ts). */
export async function hashPath(...args: Parameters<typeof Nar.hashPath>): ReturnType<typeof Nar.hashPath> {
  return (await import('../store/nar.js')).hashPath(...args);
}

/** The NAR serialization of `path`, written out (store/nar.ts). */
export async function dumpPath(...args: Parameters<typeof Nar.dumpPath>): ReturnType<typeof Nar.dumpPath> {
  return (await import('../store/nar.js')).dumpPath(...args);
}

/** The hash of a tree with its own hash part zeroed (store/self-reference.ts). */
export async function hashModulo(...args: Parameters<typeof SelfReference.hashModulo>): ReturnType<typeof SelfReference.hashModulo> {
  return (await import('../store/self-reference.js')).hashModulo(...args);
}

/** Copy a tree, rewriting hash parts (store/self-reference.ts). */
export async function rewriteTree(...args: Parameters<typeof SelfReference.rewriteTree>): ReturnType<typeof SelfReference.rewriteTree> {
  return (await import('../store/self-reference.js')).rewriteTree(...args);
}

// A contextual node's declared context (RealizeContext.dependsOn): a file it read, stat-ed before the read.
export { lookupStat, recordStat, statTree, type Selection, type TreeState } from '../store/stat-cache.js';
// Loaded with this module: `commitObject` and `holdExisting` are synchronous.
export { withWorkDir, commitObject, holdExisting } from '../store/commit.js';
export { cleanedUp } from '../store/background.js';
export { refuseHoldingStore } from '../store/holds-store.js';
export { findObject, requireObject, realPath, entryOf, openStore } from '../store/store.js';
export { closure } from '../store/closure.js';
export { lockFile } from '../store/lockfile.js';
export { replaceFile } from '../store/replace-file.js';
// Roots conditional on a running process: what a supervised service keeps alive (the service namespace).
export { addRoot, addRoots, checkRootName, removeRoot, removeRoots } from '../store/roots.js';
export { checkObjectName, isValidObjectName, defaultObjectName, parseObjectPath } from '../store/store-path.js';
export { tryParseContentHash, contentHashFromDigest, toBase32, toSri } from '../store/hash.js';
export { encodeBase32 } from '../store/base32.js';
export { ioError } from '../store/layout.js';
export { checkPathLimits } from '../store/limits.js';
export { openPrivateStore, type PrivateStore } from '../store/private-store.js';
export { effectiveUser, lookupUser, type UnixUser } from '../store/users.js';
// Process identity (pid and start time), as temporary roots use it: for a namespace's per-process state in its cache.
export { processAlive, processStat, self as currentProcess } from '../store/process.js';

// Build outputs: the package namespace's rewriting of self-references and scanning for references.
export { entries, normalizeTree, removeTree, syncFileSystem } from '../store/fs-util.js';
export { flushShell, type FlushShell } from '../store/flush-shell.js';
export { HashPartScanner, hashPart } from '../store/scan.js';
