/**
 * A keyed hint store: what the last few runs of one unit of work (a module,
 * an edge) read, kept beside the store so that the next run can guess
 * whether its refined name is recorded already (cc's `compile`, ninja's
 * compiles run as commands). A guess only orders the work, so every hint is
 * disposable: an unreadable file is a miss, and removing the folder is
 * always safe.
 *
 * Layout: `cache/<namespace>/<folder>/<key>`, where the key is the SHA-256
 * of the unit's identity as JSON (`hintKey`); each file holds a JSON array,
 * newest first, of at most `KEPT` entries `{ hint, objects }`. `objects` are
 * the store entries the hint was made with (its toolchain): `nomia gc`
 * deletes a file once none of its entries names an object still in the
 * store (`deadHints`), so hints cannot outlive what they are about. An
 * entry that names no object (kept by an older Nomia) counts as dead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheEntries, survivesSweep } from './cache-sweep.js';
import { cacheDir, entryOf, replaceFile, type Store } from './store-api.js';

/** One hint store: its folder, and which entries read back are hints of its kind. */
export interface HintStore<T> {
  /** `cache/<namespace>/<folder>/` under the store's home. */
  readonly dir: string;
  /** Whether a stored hint has this store's shape (a file written by an older Nomia may not). */
  readonly isHint: (hint: unknown) => hint is T;
}

/** One entry of a hint file. */
interface Entry {
  readonly hint: unknown;
  /** The store entries (names under the store directory) the hint was made with. */
  readonly objects: readonly string[];
}

/** How many of a unit's last runs are kept. */
const KEPT = 4;

/** The hint store of namespace `id` in `folder` of its cache directory. */
export function hintStore<T>(store: Store, id: string, folder: string, isHint: (hint: unknown) => hint is T): HintStore<T> {
  return { dir: join(cacheDir(store, id), folder), isHint };
}

/** The key of a unit of work: the SHA-256 of `identity` (the parts that stay when its inputs change) as JSON. */
export function hintKey(identity: unknown): string {
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The hex SHA-256 of the file at `path`, the digest hints compare (throws when it cannot be read). */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readEntries(path: string): Entry[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!Array.isArray(entries)) return [];
    return entries.filter((e: Partial<Entry> | null): e is Entry => typeof e === 'object' && e !== null && 'hint' in e && Array.isArray(e.objects));
  } catch {
    return [];
  }
}

/** The hints kept under `key`, newest first; none when there are none that can be read. */
export function readHints<T>(hints: HintStore<T>, key: string): T[] {
  return readEntries(join(hints.dir, key)).map((e) => e.hint).filter(hints.isHint);
}

/**
 * Keep `hint` under `key`, first, with the paths `madeWith` of the store objects it was made with (those outside
 * the store are left out); an equal hint kept before is dropped, and so are all but the last few. Written whole
 * and renamed into place; a hint that cannot be written only makes the next guess worse, so that is no error.
 */
export function keepHint<T>(store: Store, hints: HintStore<T>, key: string, hint: T, madeWith: readonly string[]): void {
  const objects = madeWith.map((p) => entryOf(store, p)).filter((e): e is string => e !== undefined);
  const path = join(hints.dir, key);
  const text = JSON.stringify(hint);
  const entries: Entry[] = [{ hint, objects }, ...readEntries(path).filter((e) => JSON.stringify(e.hint) !== text)].slice(0, KEPT);
  try {
    replaceFile(path, JSON.stringify(entries), `${path}.${randomBytes(6).toString('hex')}`);
  } catch {
    // See above: a worse guess next time.
  }
}

/**
 * The files of `dir` (a hint store's folder) that no entry keeps alive: none of their entries names an object
 * of `store` that is there and not in `swept` (the entries gc deleted, or for a dry run would delete). Absolute
 * paths, for `sweepCache`.
 */
export function deadHints(store: Store, dir: string, swept: ReadonlySet<string> = new Set()): string[] {
  const inStore = survivesSweep(store, swept);
  return cacheEntries(dir).map((e) => join(dir, e)).filter((path) => !readEntries(path).some((e) => e.objects.some(inStore)));
}
