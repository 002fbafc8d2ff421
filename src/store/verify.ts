/**
 * `nomia verify`: rehash every registered object and check the database
 * against the file system.
 *
 * Errors (the store is inconsistent): a registered object missing or with
 * other content than its hash, metadata that is not normalized, a reference
 * to an unregistered object. Harmless (reported, not inconsistencies):
 * leftovers of interrupted work (unregistered entries in store/, stale tmp/,
 * trash/) and roots whose object is not registered (adding it again revives
 * them; gc ignores them).
 *
 * `repair`: normalize metadata; unregister missing or corrupt objects (their
 * contents are gone or wrong: add them again) and move corrupt ones out;
 * but an object a live root reaches stays registered, so that no root is
 * left dangling: its corrupt content is removed (wrong bytes are never
 * served), the finding stays an error naming the root, and adding the
 * object again heals it in place;
 * register an unregistered store entry whose content matches its path (an
 * add that died between its rename and its commit); remove other leftovers.
 * Hashing takes long and runs without the lock, so every repair re-checks
 * its finding under the lock before acting: a concurrent add or gc may have
 * changed things meanwhile.
 */
import { existsSync, lstatSync, lutimesSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { childPath, entries, identity, removeTree } from './fs-util.js';
import { markLive, staleTmp } from './gc.js';
import { hashPath, type FsPath } from './nar.js';
import { HASH_PART_LENGTH } from './scan.js';
import { hashModulo } from './self-reference.js';
import { parseObjectPath } from './store-path.js';
import type { Store } from './store.js';
import { verifyReferences } from './verify-references.js';
import { commitTrash, discard, emptyTrash, moveToTrash, settleTrash, trashEntries } from './trash.js';

export type VerifyIssueKind =
  | 'missing' | 'corrupt' | 'metadata' | 'dangling-reference' | 'dangling-root'
  | 'unregistered' | 'stale-tmp' | 'trash' | 'unrecorded-reference';

export interface VerifyIssue {
  readonly kind: VerifyIssueKind;
  /** Relative to the store home: `store/…`, `tmp/…`, or a root name. */
  readonly path: string;
  readonly detail: string;
  /** Harmless: not an inconsistency. */
  readonly leftover: boolean;
  readonly repaired: boolean;
}

export interface VerifyOptions {
  readonly repair?: boolean;
  readonly onProgress?: (done: number, total: number, path: string) => void;
}

export interface VerifyResult {
  readonly checked: number;
  readonly issues: readonly VerifyIssue[];
  /** No inconsistencies left (harmless findings allowed). */
  readonly consistent: boolean;
}

const HARMLESS: ReadonlySet<VerifyIssueKind> = new Set(['unregistered', 'stale-tmp', 'trash', 'dangling-root']);

/** Metadata problems under an object: writable bits, setuid/setgid/sticky, mtime other than 1 s. */
function metadataProblems(root: string, fix: boolean): string[] {
  const problems: string[] = [];
  // A stack, not recursion: any depth (see normalizeTree for why the order does not matter).
  const stack: { p: FsPath; rel: string }[] = [{ p: root, rel: '' }];
  while (stack.length) {
    const { p, rel } = stack.pop()!;
    const st = lstatSync(p);
    const isDir = st.isDirectory();
    if (isDir) for (const e of entries(p)) stack.push({ p: e.path, rel: `${rel}/${e.name.toString()}` });
    if (st.isSymbolicLink()) {
      if (st.mtimeMs !== 1000) {
        problems.push(`${rel}: mtime`);
        if (fix) lutimesSync(p, 1, 1);
      }
      continue;
    }
    const want = isDir || (st.mode & 0o100) ? 0o555 : 0o444;
    if ((st.mode & 0o7777) !== want || st.mtimeMs !== 1000) {
      problems.push(`${rel || '.'}: mode ${(st.mode & 0o7777).toString(8)}${st.mtimeMs !== 1000 ? ', mtime' : ''}`);
      if (fix) {
        chmodSync(p, want);
        lutimesSync(p, 1, 1);
      }
    }
  }
  return problems.sort();
}

/** Why a broken object a root holds stays registered, and how to heal it. */
function kept(holder: string): string {
  return `; held by ${holder}, so it stays registered (and the root with it): add it again to restore it (\`nomia add\`, \`nomia import\`, or realize what made it)`;
}

export async function verify(store: Store, options: VerifyOptions = {}): Promise<VerifyResult> {
  const repair = options.repair === true;
  const { db, layout } = store;
  const issues: VerifyIssue[] = [];
  const note = (kind: VerifyIssueKind, path: string, detail: string, repaired: boolean) =>
    issues.push({ kind, path, detail, leftover: HARMLESS.has(kind), repaired });
  db.immediate(() => settleTrash(store));
  const objects = db.objects();
  let done = 0;
  for (const o of objects) {
    options.onProgress?.(done++, objects.length, o.path);
    const real = join(layout.storeDir, o.path);
    const before = identity(real);
    if (before === undefined) {
      let holder: string | undefined;
      // Re-check under the lock: a gc may have been moving it, and an add may have brought it back.
      const repaired = repair && db.immediate(() => {
        if (!db.object(o.path) || existsSync(real)) return false;
        holder = markLive(store).holders.get(o.path);
        if (holder !== undefined) return false;
        db.deleteObject(o.path);
        return true;
      });
      note('missing', `store/${o.path}`, `registered but not on disk${holder === undefined ? '' : kept(holder)}`, repaired);
      continue;
    }
    let hash;
    try {
      ({ hash } = await hashPath(real));
      // A build output that contains its own path is hashed modulo that path (self-reference.ts).
      if (hash !== o.hash) {
        const modulo = await hashModulo(real, o.path.slice(0, HASH_PART_LENGTH));
        if (modulo.selfReferences.length > 0) hash = modulo.hash;
      }
    } catch (e) {
      note('corrupt', `store/${o.path}`, `cannot be read: ${(e as Error).message}`, false);
      continue;
    }
    if (hash !== o.hash) {
      let repaired = false;
      let holder: string | undefined;
      if (repair) {
        const moved: string[] = [];
        repaired = db.immediate(() => {
          if (!db.object(o.path) || identity(real) !== before) return false;
          holder = markLive(store).holders.get(o.path);
          if (holder !== undefined) {
            // Wrong bytes are never served, but the row (and so the root) stays, for a re-add to heal.
            discard(store, real, `corrupt-${o.path}`);
            return false;
          }
          const name = moveToTrash(store, o.path);
          if (name) moved.push(name);
          db.deleteObject(o.path);
          return true;
        });
        commitTrash(store, moved);
      }
      const removed = holder === undefined ? '' : '; its content was removed';
      note('corrupt', `store/${o.path}`, `content hash is ${hash}, registered as ${o.hash}${removed}${holder === undefined ? '' : kept(holder)}`, repaired);
      continue;
    }
    const bad = metadataProblems(real, repair);
    if (bad.length) note('metadata', `store/${o.path}`, `not normalized: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (+${bad.length - 3})` : ''}`, repair);
  }
  options.onProgress?.(done, objects.length, '');
  const registered = new Set(db.objects().map((o) => o.path));
  for (const { referrer, reference } of db.allReferences()) {
    if (!registered.has(reference) && registered.has(referrer)) {
      note('dangling-reference', `store/${referrer}`, `refers to ${reference}, which is not registered: add it again`, false);
    }
  }
  issues.push(...await verifyReferences(store, { repair }));
  for (const r of db.roots()) {
    if (!registered.has(r.object)) {
      note('dangling-root', r.name, `points to ${r.object}, which is not registered: add it again to revive the root, or \`nomia root remove ${r.name}\``, false);
    }
  }
  // An unregistered entry a live process holds is a commit in flight (commit.ts): not a leftover, not ours to register.
  const inFlight = markLive(store).holders;
  for (const name of readdirSync(layout.storeDir, { encoding: 'buffer' })) {
    const entry = name.toString();
    if (registered.has(entry) || inFlight.has(entry)) continue;
    const real = childPath(layout.storeDir, name);
    const parsed = parseObjectPath(entry);
    let detail = 'not registered (left by an interrupted add)';
    let repaired = false;
    if (repair && typeof real === 'string') {
      const before = identity(real);
      const actual = parsed ? await hashPath(real).catch(() => undefined) : undefined;
      if (parsed && actual && actual.hash === parsed.hash) {
        metadataProblems(real, true);
        const registeredNow = db.immediate(() => {
          if (db.object(entry) || identity(real) !== before) return false;
          db.insertObject({ path: entry, hash: parsed.hash, name: parsed.name, narSize: actual.narSize, addedAt: Date.now() }, []);
          return true;
        });
        detail += registeredNow ? '; its content matches its path: registered' : '; changed meanwhile: left alone';
      } else {
        db.immediate(() => {
          if (!db.object(entry) && identity(real) === before) discard(store, real, `store-${entry}`);
        });
        detail += '; removed';
      }
      repaired = true;
    } else if (repair) {
      removeTree(real);
      repaired = true;
    }
    note('unregistered', `store/${entry}`, detail, repaired);
  }
  const stale = staleTmp(store);
  if (repair) db.immediate(() => { for (const e of staleTmp(store)) discard(store, join(layout.tmpDir, e), `tmp-${e}`); });
  for (const e of stale) note('stale-tmp', `tmp/${e}`, 'work of a process that has exited', repair);
  for (const e of trashEntries(store)) note('trash', `trash/${e}`, 'waiting to be deleted (an interrupted gc)', repair);
  if (repair) emptyTrash(store);
  const consistent = issues.every((i) => i.leftover || i.repaired);
  return { checked: objects.length, issues, consistent };
}
