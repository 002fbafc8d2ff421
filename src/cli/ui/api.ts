/** The read-only answers of the web view (`nomia ui`), each what a command prints, as data. */
import { graphStates } from '../../engine/graph-states.js';
import { nameLogs } from '../../engine/name-log.js';
import { nameChain } from '../../engine/latest-spellings.js';
import { graphSvg } from '../../graph/svg.js';
import type { Registry } from '../../namespace/registry.js';
import { byContentName } from '../../resource/names.js';
import { closure } from '../../store/closure.js';
import { readLog } from '../../store/logs.js';
import { listRoots } from '../../store/roots.js';
import type { Store } from '../../store/store.js';

/** `nomia graph --svg NAME`. */
export async function namePicture(store: Store, registry: Registry, text: string): Promise<string> {
  const states = await graphStates(store, text, registry);
  return graphSvg(states.graph, states.marks);
}

/** `nomia reductions NAME`'s chain: each name, its spelling, and the reduction that leads on. */
export async function chain(store: Store, registry: Registry, text: string) {
  return (await nameChain(store, text, registry)).map((s) => ({
    name: s.name, spelling: s.spelling, ...(s.fromInputs ? { fromInputs: true } : {}),
    ...(s.row ? { to: s.row.to, kind: s.row.kind, namespace: s.row.namespace, createdAt: s.row.createdAt, ...(s.row.signed ? { signedBy: s.row.signed.by, cache: s.row.signed.from } : {}) } : {}),
  }));
}

/** `nomia roots`, with the objects each root keeps (its object's closure). */
export function roots(store: Store) {
  return listRoots(store).map((s) => {
    const keeps = s.root.object && store.db.object(s.root.object) ? closure(store, [s.root.object]) : [];
    const objects = keeps.flatMap((p) => {
      const o = store.db.object(p);
      return o ? [{ name: byContentName(o), path: p, narSize: o.narSize }] : [];
    });
    return { name: s.root.name, kind: s.root.kind, live: s.live, why: s.why, object: s.root.object, keeps: objects };
  });
}

/** A node's kept log by its spelling, or `nomia log NAME`'s text; undefined when none is kept. */
export async function log(store: Store, registry: Registry, query: { spelling?: string; name?: string }): Promise<string | undefined> {
  if (query.spelling !== undefined) return readLog(store, query.spelling);
  if (query.name === undefined) return undefined;
  const logs = await nameLogs(store, query.name, registry);
  if (!logs) return undefined;
  return logs.length === 1 ? logs[0]!.log : logs.map((l) => `== ${l.label}\n${l.log ?? '(no log kept: not run yet)'}`).join('\n');
}
