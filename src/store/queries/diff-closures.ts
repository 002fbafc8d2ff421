/**
 * What changed between two closures, per package (`nix store
 * diff-closures`): objects are grouped by their name without the version
 * (`bash-5.2` and `bash-5.1` are both `bash`), and each group that gained or
 * lost a version, or grew or shrank by at least `SIZE_THRESHOLD` bytes of
 * NAR, is reported.
 */
import type { Store } from '../store.js';
import { closure } from '../closure.js';

/** Below this many bytes a size change alone is not reported (Nix's threshold). */
export const SIZE_THRESHOLD = 8 * 1024;

/** One package whose versions or size changed. */
export interface ClosureChange {
  /** The name without its version. */
  readonly name: string;
  /** Versions only the first closure has, sorted (`''`: an object whose name has no version). */
  readonly versionsBefore: readonly string[];
  /** Versions only the second closure has, sorted. */
  readonly versionsAfter: readonly string[];
  /** NAR bytes of the group in the second closure minus in the first. */
  readonly sizeDelta: number;
}

/**
 * Split an object name into name and version as Nix does (`parseDrvName`):
 * the version starts after the first `-` that is followed by a character other than a letter.
 */
export function splitVersion(objectName: string): { readonly name: string; readonly version: string } {
  const m = /-[^A-Za-z]/.exec(objectName);
  return m ? { name: objectName.slice(0, m.index), version: objectName.slice(m.index + 1) } : { name: objectName, version: '' };
}

interface Group { readonly versions: Set<string>; size: number }

function groups(store: Store, roots: readonly string[]): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const p of closure(store, roots)) {
    const row = store.db.object(p);
    if (!row) continue;
    const { name, version } = splitVersion(row.name);
    const g = out.get(name) ?? { versions: new Set<string>(), size: 0 };
    g.versions.add(version);
    g.size += row.narSize;
    out.set(name, g);
  }
  return out;
}

/** The changes from the closure of `before` to that of `after` (store entries), sorted by name. */
export function diffClosures(store: Store, before: readonly string[], after: readonly string[]): ClosureChange[] {
  const a = groups(store, before);
  const b = groups(store, after);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ClosureChange[] = [];
  for (const name of names) {
    const was = a.get(name) ?? { versions: new Set<string>(), size: 0 };
    const is = b.get(name) ?? { versions: new Set<string>(), size: 0 };
    const versionsBefore = [...was.versions].filter((v) => !is.versions.has(v)).sort();
    const versionsAfter = [...is.versions].filter((v) => !was.versions.has(v)).sort();
    const sizeDelta = is.size - was.size;
    if (versionsBefore.length || versionsAfter.length || Math.abs(sizeDelta) >= SIZE_THRESHOLD) changes.push({ name, versionsBefore, versionsAfter, sizeDelta });
  }
  return changes;
}
