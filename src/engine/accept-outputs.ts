/**
 * The checks between a namespace's outputs and their record (the one step
 * before a node's reductions are written, in realize.ts and knots.ts):
 *
 * - every output object is held (protect.ts) and still registered;
 * - every output object new to the store is scanned for references to
 *   other objects, whatever namespace made it (a symlink to an input, a
 *   path written into a file), and they are recorded, so gc keeps what it
 *   refers to;
 * - every input is still there: a node whose input vanished fails and
 *   records nothing.
 */
import { NomiaError } from '../errors.js';
import type { Resource } from '../namespace/types.js';
import { entryOf, type Store } from '../store/store.js';
import type { Protection } from './protect.js';

export interface AcceptRequest {
  /** The store the node realized into: the shared one, or a private node's private store. */
  readonly store: Store;
  readonly protection: Protection;
  /** The node's label, for errors. */
  readonly label: string;
  readonly inputs: Readonly<Record<string, Resource>>;
  readonly outputs: Readonly<Record<string, Resource>>;
  /** When the node started (unix ms): objects registered since are new and scanned; older ones were scanned when they were made. */
  readonly since: number;
}

export async function acceptOutputs(req: AcceptRequest): Promise<void> {
  const { store, protection, label } = req;
  if (!protection.hold(Object.values(req.outputs), store)) {
    throw new NomiaError('realize/input-vanished', `an output of \`${label}\` left the store before it could be recorded`, { hint: 'realize the name again' });
  }
  const scanned = new Set<string>();
  for (const r of Object.values(req.outputs)) {
    const entry = r.kind === 'object' ? entryOf(store, r.path) : undefined;
    if (entry === undefined || scanned.has(entry)) continue;
    scanned.add(entry);
    const row = store.db.object(entry);
    if (!row || row.addedAt < req.since) continue;
    // Loaded on the first new output only: a run whose every node is reused never scans (nor loads the NAR code).
    const { recordFoundReferences } = await import('../store/find-references.js');
    const { gone } = await recordFoundReferences(store, entry);
    if (gone.length) {
      throw new NomiaError('realize/input-vanished', `the output ${r.name} of \`${label}\` refers to ${gone.join(', ')}, which left the store while the node ran; nothing was recorded`, {
        hint: 'realize the name again; to keep an object a result refers to, make it an input of the node',
      });
    }
  }
  protection.checkInputs(label, req.inputs);
}
