/**
 * Reductions (DESIGN.md §7): what the engine has learned about names. A row
 * says that the thing spelled `from` may be replaced by the name `to`. Rows
 * are trusted by one rule (`trusted`), wherever they are followed: by a
 * node's lookup, along a chain (`materialize`), and in `nomia reductions`.
 *
 * `materialize` follows a chain of reductions from a name to a resource
 * that is present, without running anything: a name its namespace declares
 * terminal (an object by content, a value) is looked up by that namespace,
 * other names are spelled and reduced again.
 */
import { NomiaError } from '../errors.js';
import { singleAtom } from '../graph/atom.js';
import type { Spelling } from '../graph/spell.js';
import type { Registry } from '../namespace/registry.js';
import { spellName } from '../namespace/spelling.js';
import type { Resource } from '../namespace/types.js';
import { parseName } from '../name/parse.js';
import type { ReductionRow } from '../store/database.js';
import type { Store } from '../store/store.js';
import { graphOfName } from './name-graphs.js';
import { resolve } from './resolve.js';

/**
 * Record that `row.from` reduces to `row.to`; a write only when that is not already the newest row from
 * `row.from` (a contextual node that came out as before, every no-op realize): the row would be the same
 * but for its time, and the time only orders rows that differ. Returns whether it wrote.
 *
 * Replacing a row forgets every memo, unless `latestRun`: the row is a contextual node's latest run,
 * under its own spelling, which no realize follows (a contextual node always runs; what it gives is
 * decided by its context, which the memo checks). The same `filesystem:import?path=./a` realized in two
 * directories replaces that row each time, and must not empty the memo of the other directory.
 */
export function record(store: Store, row: Omit<ReductionRow, 'createdAt'>, latestRun = false): boolean {
  const newest = store.db.reductionsFrom(row.from)[0];
  // A row a cache signed is not the same as one built here (it is followed only where its signer is trusted).
  const sameSigner = newest?.signed?.by === row.signed?.by && newest?.signed?.from === row.signed?.from;
  if (newest && newest.to === row.to && newest.namespace === row.namespace && newest.kind === row.kind && sameSigner) return false;
  store.db.immediate(() => {
    // What a name realizes to changes (a node's result replaced, an assertion): no memo may answer as before.
    if ((newest && !latestRun) || row.kind === 'asserted') store.db.deleteMemos();
    store.db.putReduction({ ...row, createdAt: Date.now() });
  });
  return true;
}

/**
 * The one trust rule (docs/engine.md, "Reductions"; docs/cache.md, "Trust"). A row from the spelling of
 * a name whose namespace is spelled `owner` is followed when the user asserted it, or it was emitted
 * under `owner` (a namespace speaks for its own names), or by a built-in namespace (part of Nomia, as
 * the engine is). `owner` undefined (a name of no one namespace: several roots, a named namespace): the
 * user's and the built-ins' only. A row signed by a key (taken from a binary cache) is followed only
 * where the namespace of namespaces of this run, `registry`, trusts that key for `owner` (or, without
 * one, for the row's emitter): a project's keys count in that project alone. The engine's own rows
 * (`engine:*`: whole names, text memos) are never steps of a chain; only the whole-name lookups read them.
 */
export function trusted(row: ReductionRow, owner: string | undefined, registry: Registry): boolean {
  if (row.namespace.startsWith('engine:')) return false;
  if (row.signed && !registry.trustsSigner(row.signed.by, owner ?? row.namespace)) return false;
  return row.kind === 'asserted' || row.namespace === owner || row.namespace.startsWith('builtin:');
}

/** The newest reduction from `from`, a name of the namespace spelled `owner`, that `registry` trusts. */
export function lookup(store: Store, from: string, owner: string | undefined, registry: Registry): ReductionRow | undefined {
  return store.db.reductionsFrom(from).find((r) => trusted(r, owner, registry));
}

/**
 * The rows from `from` that a binary cache signed and that `lookup` does not follow here (their key is not
 * trusted for `owner` in this run's `registry`): recorded, but not followed, as `nomia reductions` shows.
 */
export function notFollowed(store: Store, from: string, owner: string | undefined, registry: Registry): ReductionRow[] {
  return store.db.reductionsFrom(from).filter((r) => r.signed && !trusted(r, owner, registry));
}

/** The spelling of the namespace a name text belongs to: its one root's, given by id; else undefined. */
export function ownerOf(text: string, registry: Registry): string | undefined {
  try {
    const graph = graphOfName(text);
    const root = graph.roots.length === 1 ? graph.nodes[graph.roots[0]!.node] : undefined;
    return root?.kind === 'atomic' && root.namespace.kind === 'builtin' ? registry.spelling(root.namespace.id) : undefined;
  } catch {
    return undefined;
  }
}

/** The emitter of the user's assertions (`nomia reduce 'A => B'`). */
export const USER = 'user';

/**
 * Record the user's assertion that the name `from` may be replaced by the
 * name `to` (both canonical text; kind `asserted`, trusted by the user's own
 * namespace of namespaces). `from` is spelled as realize looks it up
 * (`engineSpelling`). Returns that spelling; a `usage` error if it has none.
 */
export async function assertReduction(store: Store, registry: Registry, from: string, to: string): Promise<Spelling> {
  const spelling = await engineSpelling(from, registry);
  if (!spelling) throw new NomiaError('usage', `${from} cannot be spelled`, { hint: 'qualify every name with its namespace' });
  record(store, { from: spelling, namespace: USER, to, kind: 'asserted' });
  return spelling;
}

/**
 * The spelling realize looks a name up by: with its namespaces' own spellings
 * (`Namespace.spell`), so resolving describes every node (and may start a
 * namespace process). A name that cannot be resolved without realizing
 * something first (a named namespace) gets its default spelling (§3), as
 * does every name `materialize` walks to.
 */
export async function engineSpelling(text: string, registry: Registry): Promise<Spelling | undefined> {
  let name;
  try {
    name = parseName(text);
  } catch {
    return undefined;
  }
  try {
    return (await resolve(name, registry, text)).spelling;
  } catch {
    return spellName(text, registry);
  }
}

/**
 * A terminal name's resource: a name its namespace says stands for a
 * resource by itself (`Namespace.terminal`), present or `'absent'`;
 * undefined for any other name.
 */
function terminal(store: Store, text: string, registry: Registry): Resource | 'absent' | undefined {
  let atom;
  try {
    atom = singleAtom(graphOfName(text));
  } catch {
    return undefined;
  }
  if (!atom) return undefined;
  const { projection, ...req } = atom;
  return registry.local(atom.namespace.id)?.terminal?.(req, projection, store);
}

/**
 * Follow reductions from `text` until a present resource. Returns the
 * resource and the chain of names walked (first = `text`), or undefined.
 */
export function materialize(store: Store, text: string, registry: Registry): { resource: Resource; chain: string[] } | undefined {
  const chain: string[] = [];
  let current = text;
  for (let depth = 0; depth < 32; depth++) {
    chain.push(current);
    const t = terminal(store, current, registry);
    if (t !== undefined) return t === 'absent' ? undefined : { resource: t, chain };
    const spelling = spellName(current, registry);
    if (!spelling) return undefined;
    const row = lookup(store, spelling, ownerOf(current, registry), registry);
    if (!row || chain.includes(row.to)) return undefined;
    current = row.to;
  }
  return undefined;
}

/** One step of a name's chain of reductions: the name, its spelling, and the row that leads on (if any). */
export interface ChainStep {
  readonly name: string;
  readonly spelling: Spelling;
  readonly row?: ReductionRow;
  /** `spelling` is the name's from its inputs as last realized, not its graph's (latest-spellings.ts). */
  readonly fromInputs?: true;
}

/**
 * The chain of recorded reductions from `text`, step by step (at most 32).
 * The name as given is spelled as realize spells it (its namespaces may
 * spell it themselves); the names it reduces to by their default spellings,
 * as realize follows them. Graph-level rows (whole name → its results) are
 * the engine's shortcut, not steps. Each step is the row realize would
 * follow (`trusted`).
 */
export async function reductionChain(store: Store, text: string, registry: Registry): Promise<ChainStep[]> {
  const steps: ChainStep[] = [];
  let current = text;
  for (let i = 0; i < 32; i++) {
    const spelling = i === 0 ? await engineSpelling(current, registry) : spellName(current, registry);
    if (!spelling) break;
    const row = lookup(store, spelling, ownerOf(current, registry), registry);
    steps.push({ name: current, spelling, ...(row ? { row } : {}) });
    if (!row || steps.some((s) => s.name === row.to)) break;
    current = row.to;
  }
  return steps;
}
