/**
 * The context of a name resolved against the archive's index (`deb:latest`,
 * `deb:closure`, `deb:source` without its `.dsc`'s hash), declared to the
 * engine (`ctx.dependsOn`, `ctx.validUntil`) so that the memo answers such a
 * name while that context is as it was (docs/namespaces/deb.md, "Warm: the
 * memo"), with no apt, no index and no engine.
 *
 * apt's answer is a function of the question (the name), its options (our
 * state directories: fixed per store), the index on disk (`lists/`), the
 * system's apt configuration (`/etc/apt`: sources, pins, `apt.conf.d`,
 * which also sets the architecture) and dpkg's foreign architectures; and
 * the index itself holds only until it is due for a refresh
 * (`NOMIA_DEB_TTL`). The same as a kept answer's key (answers.ts), with the
 * clock added. The variables that change the meaning (`NOMIA_DEB_TTL`,
 * `APT_CONFIG`) are in every memo's key (cli/realize-memo.ts).
 */
import { dirname } from 'node:path';
import { type RealizeContext, type Selection, statTree } from '../../namespace/index.js';
import { APT_ETC, DPKG_ARCHES } from './answers.js';
import type { AptState } from './apt.js';

/** Only `arch` of dpkg's directory: the file may be absent, and its appearing counts (`dpkg --add-architecture`). */
const FOREIGN_ARCHES: Selection = { files: '^arch$', skip: [], stopAt: [], shallow: true };

/**
 * Declare the index's context, stat-ed before apt reads it; `dueMs`: when
 * the index is due for a refresh (`freshIndex`). With `APT_CONFIG` set, apt's
 * configuration may be anywhere: nothing is declared, so nothing is memoized.
 * So is a part that cannot be stat-ed: a context declared in part would be
 * answered stale.
 */
export function declareIndexContext(ctx: RealizeContext, state: AptState, dueMs: number): void {
  if (!ctx.dependsOn || ctx.context.env['APT_CONFIG'] !== undefined) return;
  const states = [statTree(ctx.store, state.lists), statTree(ctx.store, APT_ETC), statTree(ctx.store, dirname(DPKG_ARCHES), FOREIGN_ARCHES)];
  if (states.some((s) => s === undefined)) return;
  for (const s of states) ctx.dependsOn(s!);
  ctx.validUntil?.(dueMs);
}
