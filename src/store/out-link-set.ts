/**
 * An out-link (out-links.ts) that keeps a whole set of objects: one small
 * object, a text file listing the set's store paths, one a line, sorted,
 * whose recorded references are the set; the out-link points at it. Gc
 * marks through references, so while the out-link exists every object of
 * the set (and what each refers to) is live, and once it is gone the list
 * and the set are collectable together. This is how a build directory keeps
 * what its last build used and produced (docs/store.md, "Roots and garbage
 * collection"), as Nix's `result` keeps a user environment that refers to
 * many paths.
 *
 * Crash story: each object of the set is held by a temporary root of this
 * process (checked still registered, under the lock gc runs under) before
 * the list is added, so a gc in between cannot take one; the list is added
 * as any object is (add.ts), and the out-link is renamed over the old one
 * (out-links.ts), so a reader sees the old set or the new one. A crash
 * before the rename leaves the old link, which still roots the old set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addPath } from './add.js';
import { withWorkDir } from './commit.js';
import { addOutLink, registeredOutLink } from './out-links.js';
import { realPath, type Store } from './store.js';
import { holdTempRoots, releaseTempRoots } from './temp-roots.js';

/**
 * Make `link` an out-link to an object that refers to every entry of `entries` (`<hash>-<name>` of
 * store/), named `name`; an existing symlink at `link` is replaced (an existing file or directory is
 * refused, as by `addOutLink`).
 * @returns the list object's path, or undefined, changing nothing, when an entry is no longer in the
 * store (a gc took it since its caller last held it): the caller's results are gone, so is the point.
 */
export async function addOutLinkToSet(store: Store, link: string, entries: Iterable<string>, name: string): Promise<string | undefined> {
  const set = [...new Set(entries)].sort();
  // Store paths, not entries: the list's own bytes then name what it keeps, as a scan for references finds them (another store, an export).
  const text = set.map((e) => `${join(store.layout.storeDir, e)}\n`).join('');
  // A build that made what the last one made (a walk after a gc, --no-memo) finds its list in place: an add
  // and a commit (tens of milliseconds, on a busy disk) spared. Registered out-links only: gc reads them.
  const last = registeredOutLink(store, link)?.object;
  if (last?.endsWith(`-${name}`) && readIfFile(join(store.layout.storeDir, last)) === text) return join(store.layout.storeDir, last);
  const held = holdTempRoots(store, set);
  try {
    if (held < set.length) return undefined;
    return await withWorkDir(store, async (work) => {
      const file = join(work, name);
      writeFileSync(file, text);
      const { object } = await addPath(store, file, { name, references: set });
      const target = realPath(store, object);
      addOutLink(store, link, target);
      return target;
    });
  } finally {
    releaseTempRoots(store, set.slice(0, held));
  }
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
