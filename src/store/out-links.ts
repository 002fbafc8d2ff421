/**
 * Out-links: indirect roots, as Nix keeps them under `gcroots/auto`. An
 * out-link is a symlink the user owns (`./result`) pointing into the store;
 * the store keeps a registration of it, `gcroots/auto/<key>`, a symlink to
 * the out-link. Gc follows each registration to the out-link and from there
 * to the object: while the out-link exists and points into the store, its
 * object is live; once it is removed or points elsewhere, the registration
 * is dead and gc drops it. So deleting `./result` is how a user unroots.
 *
 * Crash story: the object is first held by a temporary root of this
 * process; the out-link is created under a temporary name and renamed over
 * the old one, then registered. A crash in between leaves an out-link
 * without registration (its object is still held by the realizing process's
 * temporary root until that process is gone); `nomia realize -o` again
 * registers it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NomiaStoreError } from '../errors.js';
import { ioError } from './layout.js';
import { self } from './process.js';
import { entryOf, type Store } from './store.js';

/** One registered out-link and what it roots now. */
export interface OutLink {
  /** The out-link's absolute path (e.g. `/home/u/project/result`). */
  readonly link: string;
  /** The store entry it points into, or undefined when it is gone or points outside the store (dead). */
  readonly object?: string;
  /** The registration's own path, under `gcroots/auto/`. */
  readonly registration: string;
}

function autoDir(store: Store): string {
  return join(store.layout.home, 'gcroots', 'auto');
}

/** Where the registration of `link` lives: a fixed function of the out-link's absolute path. */
function registrationOf(store: Store, link: string): string {
  return join(autoDir(store), createHash('sha256').update(link).digest('hex').slice(0, 32));
}

/** The store entry `link` points into, if it is a symlink into the store. */
function targetEntry(store: Store, link: string): string | undefined {
  try {
    if (!lstatSync(link).isSymbolicLink()) return undefined;
    return entryOf(store, resolve(dirname(link), readlinkSync(link)));
  } catch {
    return undefined;
  }
}

/**
 * Make `link` a symlink to `target` (a path inside the store) and register it
 * as a root. An existing symlink at `link` is replaced; anything else there
 * is refused (a result link never overwrites a user's file).
 * @returns the out-link's absolute path.
 */
export function addOutLink(store: Store, link: string, target: string): string {
  const abs = resolve(link);
  const entry = entryOf(store, target);
  if (entry === undefined) throw new NomiaStoreError('store/root', `${target} is not inside the store ${store.layout.storeDir}`);
  // Held by this process first: a gc that has already read the out-links must still keep the object.
  const me = self();
  store.db.immediate(() => {
    if (!store.db.object(entry)) throw new NomiaStoreError('store/not-found', `${entry} is not a registered object`, { hint: 'realize the name again' });
    store.db.addTempRoot({ object: entry, pid: me.pid, pidStart: me.pidStart });
  });
  let existing;
  try {
    existing = lstatSync(abs);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isSymbolicLink()) {
    throw new NomiaStoreError('store/root', `${abs} exists and is not a symlink: an out-link never replaces a file or directory`, {
      hint: 'remove it, or give another path with --out-link',
    });
  }
  const tmp = `${abs}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { force: true });
    symlinkSync(target, tmp);
    renameSync(tmp, abs);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw ioError(e, abs, 'create the out-link');
  }
  const reg = registrationOf(store, abs);
  try {
    mkdirSync(autoDir(store), { recursive: true });
    symlinkSync(abs, `${reg}.tmp-${process.pid}`);
    renameSync(`${reg}.tmp-${process.pid}`, reg);
  } catch (e) {
    rmSync(`${reg}.tmp-${process.pid}`, { force: true });
    throw ioError(e, reg, 'register the out-link as a root');
  }
  return abs;
}

/** Every registered out-link, live (with the entry it roots) or dead. */
export function outLinks(store: Store): OutLink[] {
  let names: string[];
  try {
    names = readdirSync(autoDir(store));
  } catch {
    return [];
  }
  const links: OutLink[] = [];
  for (const name of names.sort()) {
    const registration = join(autoDir(store), name);
    // A registration being written (see addOutLink) is not one yet.
    if (name.includes('.tmp-')) continue;
    let link: string;
    try {
      link = readlinkSync(registration);
    } catch {
      continue;
    }
    const object = targetEntry(store, link);
    links.push({ link, registration, ...(object === undefined ? {} : { object }) });
  }
  return links;
}

/** The out-link at `link` if it is registered (a copied symlink is not), live or dead; one registration read, not all. */
export function registeredOutLink(store: Store, link: string): OutLink | undefined {
  const abs = resolve(link);
  const registration = registrationOf(store, abs);
  try {
    if (readlinkSync(registration) !== abs) return undefined;
  } catch {
    return undefined;
  }
  const object = targetEntry(store, abs);
  return { link: abs, registration, ...(object === undefined ? {} : { object }) };
}

/** Remove a dead out-link's registration (the out-link itself is the user's: it is gone or points elsewhere). */
export function dropOutLink(link: OutLink): void {
  rmSync(link.registration, { force: true });
}
