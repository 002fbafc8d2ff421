/**
 * The kept build log of a name (`nomia log`, the web view): a node's log is
 * kept under its spelling when its namespace runs (store/logs.ts); a name
 * that never ran itself has the log of a name down its chain of reductions.
 */
import type { Registry } from '../namespace/registry.js';
import { readLog } from '../store/logs.js';
import type { Store } from '../store/store.js';
import { reductionChain } from './reductions.js';
import { nameSteps } from './steps.js';

/** The log kept for `text`: its own (under `spelling` when given), else that of the first name down its chain of reductions that has one. */
export async function logOf(store: Store, text: string, reg: Registry, spelling?: string): Promise<string | undefined> {
  const own = spelling === undefined ? undefined : readLog(store, spelling);
  if (own !== undefined) return own;
  for (const step of await reductionChain(store, text, reg)) {
    const log = readLog(store, step.spelling);
    if (log !== undefined) return log;
  }
  return undefined;
}

/** One step's log: its label and log text, or undefined when no log is kept (it never ran). */
export interface StepLog {
  readonly label: string;
  readonly log: string | undefined;
}

/**
 * The logs of the name `text` (canonical): one entry per step, inputs first, for a name of several steps;
 * else one entry for the name itself. Undefined when no step has a log.
 */
export async function nameLogs(store: Store, text: string, reg: Registry): Promise<StepLog[] | undefined> {
  const steps = await nameSteps(text, reg);
  if (steps && steps.length > 1) {
    const logs: StepLog[] = [];
    for (const step of steps) logs.push({ label: step.label, log: await logOf(store, step.label, reg, step.spelling) });
    if (logs.some((l) => l.log !== undefined)) return logs;
    return undefined;
  }
  const log = await logOf(store, text, reg);
  return log === undefined ? undefined : [{ label: text, log }];
}
