/**
 * What a namespace sees of the engine while it realizes a unit (DESIGN.md
 * §5, STYLE rule 10): the `RealizeContext` built for one unit of work
 * (step.ts), and the unit's log lines kept in memory until the step keeps
 * them in the store by spelling (`nomia log`). A namespace reaches the run
 * only through this context: its events, log, reductions, declared
 * dependencies and recursive `resolve`.
 */
import { NomiaError } from '../errors.js';
import type { Spelling } from '../graph/spell.js';
import type { RealizeContext } from '../namespace/types.js';
import { writeLog } from '../store/logs.js';
import type { Store } from '../store/store.js';
import { nodeEvents } from './node-events.js';
import { ref } from './outputs.js';
import type { Slot } from './slots.js';
import type { StepEnv, Unit } from './step.js';

/** The node's log lines, kept in memory up to a tail (what the stored log keeps, too). */
export class LogLines {
  readonly lines: string[] = [];

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200_000) this.lines.splice(0, 100_000, '[… earlier lines dropped]');
  }

  /** Kept even when empty: a silent run has an empty log, not none. */
  keep(store: Store, under: readonly Spelling[], last?: string): void {
    try {
      writeLog(store, [...new Set(under)], last === undefined ? this.lines : [...this.lines, last]);
    } catch {
      // A log that cannot be kept must not fail the node.
    }
  }
}

/**
 * The context a namespace realizes `unit` in: its events become the lead member's (and its log lines go to
 * `log`), the reductions it emits are collected in `emitted` (refused in a knot), the files it says it was
 * made from go to the realize's dependencies (`declared.any` set), and `ctx.resolve` realizes another name
 * in the same run, lending the unit's job slot (`slot()`, once it holds one) for the wait.
 */
export function contextFor(env: StepEnv, unit: Unit, log: LogLines, emitted: { toName: string; output?: string }[], slot: () => Slot | undefined, declared: { any: boolean }): RealizeContext {
  const lead = unit.members[0]!;
  const events = nodeEvents(ref(lead), (e) => {
    if (e.kind === 'log') log.push(e.line);
    else if (e.kind === 'warning') log.push(`warning: ${e.message}`);
    env.emit(e);
  });
  return {
    store: unit.priv?.store ?? env.store, context: env.context, signal: env.signal ?? new AbortController().signal,
    events, log: (line) => events.emit({ kind: 'log', line }),
    emitReduction: (toName, output) => {
      if (unit.knot) {
        throw new NomiaError('namespace/contract', `namespace ${lead.namespace.id} emitted a reduction while tying a knot; only its members' outputs are recorded`, {
          hint: 'return the refined names as the outputs\' names instead',
        });
      }
      emitted.push({ toName, ...(output === undefined ? {} : { output }) });
    },
    dependsOn: (state) => {
      declared.any = true;
      env.dependencies.add(state, unit.members.map((m) => m.id));
    },
    validUntil: (epochMs) => env.dependencies.expire(epochMs, unit.members.map((m) => m.id)),
    commandsDone: () => slot()?.release(),
    ...(unit.knot ? {} : {
      resolve: (other: string, how?: { readonly pure?: boolean; readonly signal?: AbortSignal }) => env.resolve(other, how, { spelling: unit.lock, label: lead.label, node: lead.id }, slot()),
    }),
  };
}
