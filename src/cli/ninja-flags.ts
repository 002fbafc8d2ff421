/**
 * ninja's `-l N`, `-w FLAG` and `-d MODE` for `nomia ninja` (docs/namespaces/ninja.md, "Usage"): each
 * parsed as ninja 1.11 parses it, so a script or a generator that passes them is taken as it is; a mode
 * this cannot honour is refused with why, never silently ignored. `-w list` and `-d list` print their
 * lists and exit with status 1, as ninja's do.
 */
import { NomiaError } from '../errors.js';

/** `-l N`: a load average, a non-negative number (0: no limit, as ninja's). */
export function parseLoad(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new NomiaError('usage', `-l ${v}: give the load average above which no new job starts, a number such as 2 or 1.5`, { hint: 'e.g. nomia ninja -l 4 (0: no limit)' });
  return n;
}

/** What ninja 1.11's `-w list` prints. */
export const WARNING_LIST = 'warning flags:\n  phonycycle={err,warn}  phony build statement references itself\n';

/**
 * `-w FLAG`, repeatable: ninja 1.11's `dupbuild=err|warn`, `phonycycle=err|warn` (front-end/ninja-warnings.ts
 * applies them) and the deprecated `depfilemulti=err|warn` (which ninja takes and ignores), collected in `previous`.
 */
export function collectWarning(v: string, previous: readonly string[] = []): string[] {
  if (v !== 'list' && !/^(dupbuild|phonycycle|depfilemulti)=(err|warn)$/.test(v)) {
    throw new NomiaError('usage', `-w ${v}: unknown warning flag '${v}'`, { hint: 'ninja\'s: -w dupbuild=err|warn, -w phonycycle=err|warn (nomia ninja -w list)' });
  }
  return [...previous, v];
}

/** ninja's debug modes, and what each does here. */
export const DEBUG_MODES = {
  stats: 'print how many nodes of each kind ran and were reused, with their wall times',
  explain: 'say why each edge runs: which of its inputs changed since the last build, or that its name has no record',
  keepdepfile: 'refused: nomia ninja writes no depfiles into the build directory (a compile\'s headers are recorded in the store)',
  keeprsp: 'refused: nomia ninja writes no response files (rspfile) into the build directory',
} as const;
export type DebugMode = keyof typeof DEBUG_MODES;

/** What `-d list` prints: ninja's list, each mode with what it does here. */
export const DEBUG_LIST = `debugging modes:\n${Object.entries(DEBUG_MODES).map(([m, what]) => `  ${m.padEnd(11)}  ${what}\n`).join('')}multiple modes can be enabled via -d FOO -d BAR\n`;

/** `-d MODE`, repeatable: a mode of ninja's that this honours (or `list`); the others are refused with why. */
export function collectDebug(v: string, previous: readonly string[] = []): string[] {
  if (v === 'keepdepfile' || v === 'keeprsp') {
    throw new NomiaError('usage', `-d ${v}: not taken by nomia ninja: ${DEBUG_MODES[v].replace(/^refused: /, '')}`, { hint: 'see what an edge ran with: nomia log NAME of its node (the name is in the events of --log-format json); or drop the option' });
  }
  if (v !== 'list' && !(v in DEBUG_MODES)) throw new NomiaError('usage', `-d ${v}: unknown debug setting '${v}'`, { hint: 'nomia ninja -d list' });
  return [...previous, v];
}
