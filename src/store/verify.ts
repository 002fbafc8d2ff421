/**
 * `nomia verify`: rehash every registered object and check the database
 * against the file system.
 *
 * Errors (the store is inconsistent): a registered object missing or with
 * other content than its hash, metadata that is not normalized, a reference
 * or root to an unregistered object. Leftovers (harmless, what an
 * interrupted add or gc leaves, removed by gc): unregistered entries in
 * store/, stale tmp/ and trash/ entries.
 *
 * `repair`: normalize metadata; unregister missing or corrupt objects (their
 * contents are gone or wrong: re-add them) and move corrupt ones to trash/;
 * register an unregistered store entry whose content matches its path (an add
 * that died between its rename and its commit), remove other leftovers.
 */
import { lstatSync, lutimesSync, chmodSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { hashPath } from './nar.js';
import { removeTree } from './fs-util.js';
import { recoverTrash, staleTmp } from './gc.js';
import { parseObjectPath } from './store-path.js';
import type { Store } from './store.js';

export type VerifyIssueKind =
  | 'missing' | 'corrupt' | 'metadata' | 'dangling-reference' | 'dangling-root'
  | 'unregistered' | 'stale-tmp' | 'trash';

export interface VerifyIssue {
  readonly kind: VerifyIssueKind;
  /** Relative to the store home: `store/…`, `tmp/…`, or a root name. */
  readonly path: string;
  readonly detail: string;
  /** A leftover is not an inconsistency. */
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
  /** No inconsistencies left (leftovers allowed). */
  readonly consistent: boolean;
}

const LEFTOVER: ReadonlySet<VerifyIssueKind> = new Set(['unregistered', 'stale-tmp', 'trash']);

/** Metadata problems under an object: writable bits, setuid/setgid/sticky, mtime other than 1 s. */
function metadataProblems(root: string, fix: boolean): string[] {
  const problems: string[] = [];
  const walk = (p: string, rel: string): void => {
    const st = lstatSync(p);
    const isDir = st.isDirectory();
    if (isDir) for (const e of readdirSync(p)) walk(join(p, e), `${rel}/${e}`);
    if (st.isSymbolicLink()) {
      if (st.mtimeMs !== 1000) {
        problems.push(`${rel}: mtime`);
        if (fix) lutimesSync(p, 1, 1);
      }
      return;
    }
    const want = isDir || (st.mode & 0o100) ? 0o555 : 0o444;
    if ((st.mode & 0o7777) !== want || st.mtimeMs !== 1000) {
      problems.push(`${rel}: mode ${(st.mode & 0o7777).toString(8)}${st.mtimeMs !== 1000 ? ', mtime' : ''}`);
      if (fix) {
        chmodSync(p, want);
        lutimesSync(p, 1, 1);
      }
    }
  };
  walk(root, '');
  return problems;
}

export async function verify(store: Store, options: VerifyOptions = {}): Promise<VerifyResult> {
  const repair = options.repair === true;
  const { db, layout } = store;
  const issues: VerifyIssue[] = [];
  const note = (kind: VerifyIssueKind, path: string, detail: string, repaired: boolean) =>
    issues.push({ kind, path, detail, leftover: LEFTOVER.has(kind), repaired });
  db.immediate(() => recoverTrash(store));
  const objects = db.objects();
  let done = 0;
  for (const o of objects) {
    options.onProgress?.(done++, objects.length, o.path);
    const real = join(layout.storeDir, o.path);
    try {
      lstatSync(real);
    } catch {
      if (repair) db.immediate(() => db.deleteObject(o.path));
      note('missing', `store/${o.path}`, 'registered but not on disk', repair);
      continue;
    }
    const { hash } = await hashPath(real);
    if (hash !== o.hash) {
      if (repair) {
        db.immediate(() => {
          db.deleteObject(o.path);
          renameSync(real, join(layout.trashDir, `${o.path}.corrupt-${Date.now().toString(36)}`));
        });
      }
      note('corrupt', `store/${o.path}`, `content hash is ${hash}, registered as ${o.hash}`, repair);
      continue;
    }
    const bad = metadataProblems(real, repair);
    if (bad.length) note('metadata', `store/${o.path}`, `not normalized: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (+${bad.length - 3})` : ''}`, repair);
  }
  options.onProgress?.(done, objects.length, '');
  const registered = new Set(db.objects().map((o) => o.path));
  for (const { referrer, reference } of db.allReferences()) {
    if (!registered.has(reference) && registered.has(referrer)) {
      note('dangling-reference', `store/${referrer}`, `refers to ${reference}, which is not registered`, false);
    }
  }
  for (const r of db.roots()) {
    if (!registered.has(r.object)) {
      if (repair) db.immediate(() => db.deleteRoot(r.name));
      note('dangling-root', r.name, `points to ${r.object}, which is not registered`, repair);
    }
  }
  for (const entry of readdirSync(layout.storeDir)) {
    if (registered.has(entry)) continue;
    const parsed = parseObjectPath(entry);
    const real = join(layout.storeDir, entry);
    let detail = 'not registered (left by an interrupted add)';
    let repaired = false;
    if (repair) {
      const actual = parsed ? await hashPath(real) : undefined;
      if (parsed && actual && actual.hash === parsed.hash) {
        metadataProblems(real, true);
        db.immediate(() => {
          if (!db.object(entry)) db.insertObject({ path: entry, hash: parsed.hash, name: parsed.name, narSize: actual.narSize, addedAt: Date.now() }, []);
        });
        detail += '; its content matches its path: registered';
      } else {
        removeTree(real);
        detail += '; removed';
      }
      repaired = true;
    }
    note('unregistered', `store/${entry}`, detail, repaired);
  }
  for (const entry of staleTmp(store)) {
    if (repair) removeTree(join(layout.tmpDir, entry));
    note('stale-tmp', `tmp/${entry}`, 'work of a process that has exited', repair);
  }
  for (const entry of readdirSync(layout.trashDir)) {
    if (repair) removeTree(join(layout.trashDir, entry));
    note('trash', `trash/${entry}`, 'left by an interrupted gc', repair);
  }
  const consistent = issues.every((i) => i.leftover || i.repaired);
  return { checked: objects.length, issues, consistent };
}
