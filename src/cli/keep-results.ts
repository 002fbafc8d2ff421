/** `nomia realize --root R` and `--out-link PATH`: keep a realize's results through gc. */
import type { Resource } from '../namespace/types.js';
import { addOutLink } from '../store/out-links.js';
import { addRoot } from '../store/roots.js';
import { entryOf, type Store } from '../store/store.js';

export interface Keep {
  /** An absolute root on each result: `R`, then `R-2`, `R-3`, … for the second and later ones. */
  readonly root?: string;
  /** An out-link (indirect root) to each result: `PATH`, then `PATH-2`, … as nix-build's `result`, `result-2`. */
  readonly outLink?: string;
}

/** The n-th (0-based) of several: the first keeps the name, as Nix numbers `result`, `result-2`. */
export const nth = (base: string, i: number) => (i === 0 ? base : `${base}-${i + 1}`);

/**
 * Root the object results (a value is not in the store and needs no root).
 * @returns one line per root made, for stderr.
 */
export function keepResults(store: Store, results: readonly Resource[], keep: Keep): string[] {
  const notes: string[] = [];
  const objects = results.filter((r): r is Extract<Resource, { kind: 'object' }> => r.kind === 'object');
  objects.forEach((r, i) => {
    const entry = entryOf(store, r.path);
    if (entry === undefined) return;
    if (keep.root !== undefined) {
      const row = addRoot(store, { name: nth(keep.root, i), object: entry, kind: 'absolute' });
      notes.push(`root ${row.name} -> ${entry}`);
    }
    if (keep.outLink !== undefined) notes.push(`out-link ${addOutLink(store, nth(keep.outLink, i), r.path)} -> ${r.path}`);
  });
  return notes;
}
