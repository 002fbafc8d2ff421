/**
 * The event sink a namespace gets for one node (`ctx.events`): its events
 * become `EngineEvent`s of that node. Progress is thinned to one every
 * `PROGRESS_EVERY_MS` (the first and the last, `done === total`, always
 * pass) so that a namespace may report every block it copies without
 * flooding a JSON log; malformed events are dropped, as a namespace
 * process's would be.
 */
import type { EventSink, NamespaceEvent } from '../namespace/types.js';
import type { EngineEvent, NodeRef } from './events.js';

export const PROGRESS_EVERY_MS = 100;

const count = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** A progress event with sane fields, or undefined. */
function progress(e: Extract<NamespaceEvent, { kind: 'progress' }>): Omit<Extract<NamespaceEvent, { kind: 'progress' }>, 'kind'> | undefined {
  if (!count(e.done) || (e.total !== undefined && !count(e.total)) || (e.unit !== undefined && typeof e.unit !== 'string')) return undefined;
  return { done: e.done, ...(e.total === undefined ? {} : { total: e.total }), ...(e.unit === undefined ? {} : { unit: e.unit.slice(0, 32) }) };
}

export function nodeEvents(ref: NodeRef, emit: (e: EngineEvent) => void, now: () => number = Date.now): EventSink {
  let last = -Infinity;
  return {
    emit(e: NamespaceEvent): void {
      if (e?.kind === 'log') {
        if (typeof e.line === 'string') emit({ kind: 'log', ...ref, line: e.line });
        return;
      }
      if (e?.kind === 'warning') {
        if (e.type === 'unset-variable' && [e.variable, e.where, e.message].every((x) => typeof x === 'string')) {
          emit({ kind: 'warning', ...ref, type: e.type, variable: e.variable, where: e.where, message: e.message });
        }
        if (e.type === 'unpackaged-toolchain' && Array.isArray(e.paths) && e.paths.every((x) => typeof x === 'string') && typeof e.message === 'string') {
          emit({ kind: 'warning', ...ref, type: e.type, paths: [...e.paths], message: e.message });
        }
        return;
      }
      if (e?.kind !== 'progress') return;
      const p = progress(e);
      if (!p) return;
      const t = now();
      if (t - last < PROGRESS_EVERY_MS && p.done !== p.total) return;
      last = t;
      emit({ kind: 'progress', ...ref, ...p });
    },
  };
}
