/**
 * `nomia verify`'s reference check: an object whose content mentions
 * another registered object (its hash part, find-references.ts) must have
 * it among its recorded references, or gc may delete what it refers to and
 * leave it dangling. `repair` records the missing references.
 */
import type { Store } from './store.js';
import { findReferences, hashPartIndex } from './find-references.js';
import type { VerifyIssue } from './verify.js';

/** One issue of kind `unrecorded-reference` per object whose content mentions objects its row lacks. */
export async function verifyReferences(store: Store, options: { readonly repair?: boolean } = {}): Promise<VerifyIssue[]> {
  const byPart = hashPartIndex(store);
  const issues: VerifyIssue[] = [];
  for (const path of store.db.objectPaths()) {
    let found: string[];
    try {
      found = await findReferences(store, path, byPart);
    } catch {
      continue; // Unreadable or missing: the content check reports it.
    }
    const have = new Set(store.db.references(path));
    const missing = found.filter((r) => !have.has(r));
    if (missing.length === 0) continue;
    // Under the lock: only references to objects still registered, to an object still registered.
    const repaired = options.repair === true && store.db.immediate(() => {
      if (!store.db.object(path)) return false;
      store.db.addReferences(path, missing.filter((r) => store.db.object(r)));
      return true;
    });
    issues.push({
      kind: 'unrecorded-reference', path: `store/${path}`, leftover: false, repaired,
      detail: `its content refers to ${missing.join(', ')} but the database does not record it (gc could delete it): run \`nomia verify --repair\` to record it`,
    });
  }
  return issues;
}
