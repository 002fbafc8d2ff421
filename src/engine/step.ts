/**
 * The steps a unit of work goes through once its inputs are realized
 * (DESIGN.md §7, step 3), the same for a single node (`node.ts`) and for a
 * cycle realized as one unit (`knots.ts`):
 *
 *   lock → look up again → realize → check outputs → record → keep the log
 *
 * The lock is per spelling and across processes, so that of concurrent
 * realizes of one name one runs and the others find its result when they
 * get the lock (the second lookup). Outputs are checked against the
 * signature before anything is recorded; a failure is never recorded (STYLE
 * rule 10), but its log is kept, like a success's, by spelling (`nomia log`).
 * What the namespace is handed while it realizes (its `RealizeContext`) is
 * built in `unit-context.ts`.
 */
import { NomiaError } from '../errors.js';
import type { Spelling } from '../graph/spell.js';
import type { Registry } from '../namespace/registry.js';
import { spellName } from '../namespace/spelling.js';
import type { RealizeContext, RunContext } from '../namespace/types.js';
import { isSubtype, type Resource } from '../resource/types.js';
import { hasOwnLog } from '../store/logs.js';
import type { Store } from '../store/store.js';
import { acceptOutputs } from './accept-outputs.js';
import type { EngineEvent } from './events.js';
import { acquire } from './locks.js';
import { fromReductions, outputSpelling, ref, type Outputs } from './outputs.js';
import { ownerOf, record } from './reductions.js';
import { substitute } from './substitute.js';
import type { Substituters } from '../cache/substituters.js';
import type { PrivateScope } from './private-results.js';
import type { Protection } from './protect.js';
import type { DependencySink } from './memo.js';
import type { ResolvedNode } from './resolve.js';
import type { Slot } from './slots.js';
import { contextFor, LogLines } from './unit-context.js';

/** Thrown in units that had not started when another failed; never reported as a failure of its own. */
export class Cancelled extends Error {}

/**
 * Thrown, in a dry run (`RealizeOptions.dryRun`), by a unit that would run its namespace, and by every
 * node that needs one; each reports `would-run` first. Never a failure.
 */
export class WouldRun extends Error {}

/** What a realize lends to each unit it runs. */
export interface StepEnv {
  readonly store: Store;
  readonly registry: Registry;
  readonly context: RunContext;
  readonly signal?: AbortSignal;
  /** What the realize holds (protect.ts): every object a unit finds or makes is held until the realize ends. */
  readonly protection: Protection;
  /** The files the realize's contextual nodes declared they were made from (memo.ts). */
  readonly dependencies: DependencySink;
  emit(e: EngineEvent): void;
  /** Run a namespace within the `--jobs` limit (holding `slot`); throws `Cancelled` if the run was cancelled meanwhile. */
  run<T>(task: (slot: Slot) => Promise<T>): Promise<T>;
  count(what: 'ran' | 'reused', n: number): void;
  /** The run's binary caches (`--substituter`), asked before a unit runs; absent or empty: none. */
  readonly substituters?: Substituters;
  /** A dry run: a unit that is not contextual reports `would-run` instead of running (`WouldRun`). */
  readonly dryRun?: boolean;
  /** The outputs of node `id`, realized once per run. */
  realizeNode(id: number): Promise<Outputs>;
  /**
   * Realize another name in the same run (`ctx.resolve`), asked by the unit locked on `asker` (whose lead
   * is node `asker.node`) while it holds `slot` (lent for the wait).
   */
  resolve(name: string, how: { readonly pure?: boolean; readonly signal?: AbortSignal } | undefined, asker: { readonly spelling: Spelling; readonly label: string; readonly node: number }, slot: Slot | undefined): Promise<readonly Resource[]>;
}

/** One unit of work: a node, or the members of a cycle. */
export interface Unit {
  readonly members: readonly ResolvedNode[];
  /** Per member: the spelling it is looked up by (a node's refined spelling once its inputs are realized). */
  readonly spellings: readonly Spelling[];
  /** Per member: the spellings its outputs are recorded under. */
  readonly recordUnder: readonly (readonly Spelling[])[];
  /** The spellings the log is kept under. */
  readonly logUnder: readonly Spelling[];
  /** The spelling locked while the unit runs. */
  readonly lock: Spelling;
  /** Look up a result recorded meanwhile (not for contextual units, which always run). */
  readonly lookup: boolean;
  /** Per member: whether a cache hit is an early cutoff (found only under a spelling from its refined inputs). */
  readonly early: readonly boolean[];
  /**
   * A cycle: reductions emitted on the way are refused (only the members' outputs are recorded), and a
   * failure is reported by the caller (`tieKnot`), which also sees the failures before the lock.
   */
  readonly knot: boolean;
  /** What the unit is, for an error's trace: `realizing x:y (1:1)` (a node's; a knot's caller adds its own). */
  readonly doing: string;
  /** Per member: its inputs, which must still be there when its outputs are recorded. */
  readonly inputs: readonly Readonly<Record<string, Resource>>[];
  /** A node with a private input: realized into, recorded in and looked up in its owner's private store. */
  readonly priv?: PrivateScope;
  /**
   * Run although a result is recorded (`realize --rebuild`/`--check`): `rebuild` records the new result;
   * `check` compares it with the recorded one, fails with `realize/not-reproducible` on a difference and
   * keeps the record.
   */
  readonly redo?: 'rebuild' | 'check';
  /** Run the namespace; the outputs of each member, in order. */
  realize(ctx: RealizeContext): Promise<readonly Outputs[]>;
}

/**
 * Every member's outputs from recorded reductions under `spellings` (in the private store of `priv`),
 * held until the realize ends; or undefined, also when one left the store meanwhile.
 */
async function recorded(env: StepEnv, members: readonly ResolvedNode[], spellings: readonly Spelling[], priv?: PrivateScope): Promise<Outputs[] | undefined> {
  const where = priv?.store ?? env.store;
  const found: Outputs[] = [];
  for (const [i, m] of members.entries()) {
    const hit = fromReductions(where, env.registry, m, spellings[i]!);
    if (!hit || !(await env.protection.holdSoon(Object.values(hit), where))) return undefined;
    found.push(priv ? named(hit, priv) : hit);
  }
  return found;
}

/** Outputs of a private node, named as the owner's private objects. */
function named(outs: Outputs, priv: PrivateScope | undefined): Outputs {
  return priv ? Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, priv.name(v)])) : outs;
}

/** Every member's outputs from recorded reductions under `spellings`, held and reported as cache hits; or undefined. */
export async function lookUp(env: StepEnv, members: readonly ResolvedNode[], spellings: readonly Spelling[], early: readonly boolean[], priv?: PrivateScope): Promise<Outputs[] | undefined> {
  const found = await recorded(env, members, spellings, priv);
  if (!found) return undefined;
  members.forEach((m, i) => env.emit({ kind: 'cache-hit', ...ref(m), spelling: spellings[i]!, to: found[i]![m.signature.defaultOutput]?.name ?? '', early: early[i]! }));
  env.count('reused', members.length);
  return found;
}

/** Refuse an input whose resource is not of the type its port declares. */
export function checkInputs(n: ResolvedNode, inputs: Readonly<Record<string, Resource>>): void {
  if (n.signature.inputs === 'any') return;
  for (const [port, sig] of Object.entries(n.signature.inputs)) {
    const r = inputs[port];
    if (r && !isSubtype(r.type, sig.type)) {
      throw new NomiaError('usage', `input \`${port}\` of \`${n.label}\` must be a ${sig.type}, but ${r.name} is a ${r.type}`, { hint: 'pass a resource of that type, or project a path inside it' });
    }
  }
}

/**
 * Add what was being done to the error's trace, unless it has one already: a
 * failure keeps the frame of the unit that failed, not of every unit that
 * waited for it.
 */
export function withTrace(e: unknown, doing: string): unknown {
  if (e instanceof NomiaError && e.trace.length === 0) e.addTrace(doing);
  return e;
}

/** The `failed` event of `n` for the error `e`. */
export function failedEvent(n: ResolvedNode, e: unknown): EngineEvent {
  return { kind: 'failed', ...ref(n), error: (e as Error).message, code: e instanceof NomiaError ? e.code : 'internal' };
}

/** Whether `m` is a name that stands for a resource by itself (`Namespace.terminal`), present in `store`. */
function present(m: ResolvedNode, store: Store): boolean {
  const t = m.namespace.terminal?.(m.request, [], store);
  return t !== undefined && t !== 'absent';
}

/** Lock, look up again, realize, check, record, keep the log: the outputs of each member. */
export async function runUnit(env: StepEnv, unit: Unit): Promise<readonly Outputs[]> {
  const lead = unit.members[0]!;
  const log = new LogLines();
  const store = unit.priv?.store ?? env.store;
  const lock = await acquire(env.store, unit.lock, () => env.emit({ kind: 'waiting', ...ref(lead), spelling: unit.lock }), env.signal);
  try {
    const before = unit.redo && unit.lookup ? await recorded(env, unit.members, unit.spellings, unit.priv) : undefined;
    if (unit.redo === 'check' && !before) {
      throw new NomiaError('usage', `nothing is recorded for \`${lead.label}\` to check against`, { hint: 'realize it first, then check it' });
    }
    const meanwhile = unit.lookup && !unit.redo ? await lookUp(env, unit.members, unit.spellings, unit.early, unit.priv) : undefined;
    if (meanwhile) return meanwhile;
    // A private node's result is its owner's alone; a knot's members are recorded together, never fetched one by one.
    if (unit.lookup && !unit.redo && !unit.priv && !unit.knot && await substitute(env, store, unit.members, unit.spellings)) {
      const fetched = await lookUp(env, unit.members, unit.spellings, unit.early);
      if (fetched) return fetched;
    }
    // In a dry run, contextual units (the caller's files read into the store) run: what a node is spelled
    // from depends on them; so do names that stand for a resource present here (`terminal`), which run nothing.
    if (env.dryRun && !unit.members.some((m) => m.signature.contextual || present(m, store))) {
      unit.members.forEach((m, i) => env.emit({ kind: 'would-run', ...ref(m), spelling: unit.spellings[i]! }));
      throw new WouldRun();
    }
    const emitted: { toName: string; output?: string }[] = [];
    let slot: Slot | undefined;
    const declared = { any: false };
    const ctx = contextFor(env, unit, log, emitted, () => slot, declared);
    // Checking, recording and the `ready` event happen while the unit holds its job slot, unless its namespace
    // said its commands are done (`ctx.commandsDone`): then the next unit's command starts meanwhile, as
    // ninja's `-j` counts commands. The unit's clock starts with its slot: waiting for one is not its time.
    return await env.run(async (held) => {
      slot = held;
      const t0 = Date.now();
      unit.members.forEach((m, i) => env.emit({ kind: 'realizing', ...ref(m), spelling: unit.spellings[i]! }));
      const results = await unit.realize(ctx);
      // A contextual unit that did not say what it was made from may have read anything: no memo.
      if (!declared.any && unit.members.some((m) => m.signature.contextual)) env.dependencies.untrack(lead.label);
      return finish(env, unit, store, log, results, emitted, before, t0);
    });
  } catch (e) {
    if (e instanceof Cancelled || e instanceof WouldRun) throw e;
    log.keep(store, unit.logUnder, `failed: ${(e as Error).message}`);
    if (!unit.knot) env.emit(failedEvent(lead, e));
    throw unit.knot ? e : withTrace(e, unit.doing);
  } finally {
    lock.release();
  }
}

/** After the namespace ran: check the outputs, accept them (accept-outputs.ts), record or compare, keep the log, report. */
async function finish(env: StepEnv, unit: Unit, store: Store, log: LogLines, results: readonly Outputs[], emitted: readonly { toName: string; output?: string }[], before: Outputs[] | undefined, t0: number): Promise<readonly Outputs[]> {
  checkOutputs(unit, results);
  env.count('ran', unit.members.length);
  for (const [i, m] of unit.members.entries()) {
    await acceptOutputs({ store, protection: env.protection, label: m.label, inputs: unit.inputs[i]!, outputs: results[i]!, since: t0 });
  }
  let learned = unit.redo !== undefined;
  if (unit.redo === 'check') unit.members.forEach((m, i) => checkSame(m, before![i]!, named(results[i]!, unit.priv)));
  else unit.members.forEach((m, i) => { learned = recordOutputs(env, store, m, unit.recordUnder[i]!, results[i]!, emitted) || learned; });
  // A run that came out exactly as recorded (a contextual node whose context did not change: an import of
  // unchanged files) leaves the log of the run that recorded it (docs/engine.md, "Events").
  if (learned || !hasOwnLog(store, unit.logUnder)) log.keep(store, unit.logUnder);
  const outs = unit.redo === 'check' ? before! : results.map((r) => named(r, unit.priv));
  unit.members.forEach((m, i) => env.emit({ kind: 'ready', ...ref(m), outputs: Object.fromEntries(Object.entries(outs[i]!).map(([k, v]) => [k, v.name])), ms: Date.now() - t0 }));
  return outs;
}

/** Every member must have every output its signature declares. */
function checkOutputs(unit: Unit, results: readonly Outputs[]): void {
  const members = unit.members;
  const ns = members[0]!.namespace;
  if (!Array.isArray(results) || results.length !== members.length) {
    throw new NomiaError('namespace/contract', `the namespace ${ns.id} returned ${Array.isArray(results) ? results.length : 'no list of'} outputs for ${members.length} members`, {
      hint: 'report it to the namespace\'s authors',
    });
  }
  members.forEach((m, i) => {
    for (const output of Object.keys(m.signature.outputs)) {
      if (!results[i]?.[output]) {
        throw new NomiaError('namespace/contract', `the namespace ${ns.id} did not produce the output \`${output}\` of \`${m.label}\``, { hint: 'report it to the namespace\'s authors' });
      }
    }
  });
}

/**
 * Record each output of `m` under each of `spellings`; a refinement the namespace emitted on the way is a step of
 * its own. Whether a row was written.
 *
 * An emitted refinement that is a name of the node's own namespace is recorded with the output as its result
 * too: the namespace, which speaks for its own names (`trusted`), vouches that realizing it gives that output
 * (`cc:compile` records its exact compile so, having run it in another layout). That row is written first: a
 * crash before the node's own row leaves a true statement about the refined name and nothing that leads to a
 * missing one (the node just runs again). A refinement in another namespace gets no such row: what it
 * realizes to is that namespace's to say (docs/engine.md, "Reductions").
 */
function recordOutputs(env: StepEnv, store: Store, m: ResolvedNode, spellings: readonly Spelling[], outs: Outputs, emitted: readonly { toName: string; output?: string }[]): boolean {
  let wrote = false;
  for (const [output, r] of Object.entries(outs)) {
    const via = emitted.find((x) => (x.output ?? m.signature.defaultOutput) === output);
    const viaSpelling = via && ownerOf(via.toName, env.registry) === m.namespace.spelling ? spellName(via.toName, env.registry) : undefined;
    // Not when the newest row from it leads there already: the namespace had the refined name realized by
    // the engine (`ctx.resolve`), which recorded how it got it. A row a cache signed must not come back
    // unsigned, as the namespace's own word, and be followed where its signer is not trusted.
    if (viaSpelling && store.db.reductionsFrom(viaSpelling)[0]?.to !== r.name) {
      wrote = record(store, { from: viaSpelling, namespace: m.namespace.spelling, to: r.name, kind: 'realized' }) || wrote;
    }
    for (const s of spellings) {
      const from = outputSpelling(m, s, output);
      const first = via ? via.toName : r.name;
      wrote = record(store, { from, namespace: m.namespace.spelling, to: first, kind: 'realized' }, m.tainted && m.signature.contextual) || wrote;
      env.emit({ kind: 'reduced', ...ref(m), from, to: first, source: 'recorded' });
    }
  }
  return wrote;
}

/** `--check`: the outputs of a run again must be the recorded ones. */
function checkSame(n: ResolvedNode, before: Outputs, now: Outputs): void {
  for (const [output, was] of Object.entries(before)) {
    const is = now[output]!;
    if (is.name === was.name) continue;
    throw new NomiaError('realize/not-reproducible', `\`${n.label}\` is not reproducible: output \`${output}\` was\n    ${was.name}\n  and is now\n    ${is.name}${is.kind === 'object' ? `\n  (this run's result: ${is.path})` : ''}`, {
      hint: 'the recorded result is kept; compare the two (e.g. `diff -r` of their paths) to find what varies between runs',
    });
  }
}
