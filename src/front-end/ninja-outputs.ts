/**
 * The outputs of `nomia ninja` in the build directory, and the state file
 * beside build.ninja that says what was written there
 * (docs/namespaces/ninja.md, "Writing the outputs").
 *
 * Each output is copied from the store, written beside its place and
 * renamed (a reader never sees half a file). `.nomia_ninja_state` records,
 * per output, the store path it came from and the mtime it was written
 * with: an output whose result did not change and that still has that
 * mtime is left alone, so a build that changed nothing writes nothing,
 * not even the state file. It also records the last build's results (by
 * digest) and where each went, which is all a build answered from the memo
 * needs to check the build directory without reading build.ninja.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NomiaError } from '../errors.js';
import type { Resource } from '../resource/types.js';

const STATE = '.nomia_ninja_state';

/** The format of the state file; a file of another format is read as empty (every output is written again, once). */
const FORMAT = 2;

/** One output as written: the store file it is a copy of, and its mtime then. */
export interface Written {
  readonly from: string;
  readonly mtimeMs: number;
}

/** How many edges of each kind the plan had (for the summary line). */
export interface Counts {
  readonly compile: number;
  readonly archive: number;
  readonly link: number;
  readonly command: number;
}

/** The last build: its results' digest (`resultsDigest`), its counts, and each output it placed, `[path in DIR, store file]`. */
export interface LastBuild {
  readonly results: string;
  readonly counts: Counts;
  readonly placed: readonly (readonly [string, string])[];
}

export interface State {
  readonly format: typeof FORMAT;
  readonly outputs: Readonly<Record<string, Written>>;
  readonly last?: LastBuild;
}

/** What placing the outputs did. */
export interface Placed {
  /** Files written into the build directory (changed, new, or changed or removed there). */
  readonly written: number;
  /** Files already in place. */
  readonly unchanged: number;
}

/** A digest of a build's results as the memo keeps them: equal digests, equal outputs. */
export function resultsDigest(results: readonly Resource[]): string {
  return createHash('sha256').update(JSON.stringify(results)).digest('hex');
}

/** The state file's text and what it says (empty when it is missing, unreadable or of another format). */
export function readState(dir: string): { readonly text: string | undefined; readonly state: State } {
  let text: string | undefined;
  try {
    text = readFileSync(join(dir, STATE), 'utf8');
    const state = JSON.parse(text) as State;
    if (state.format === FORMAT && typeof state.outputs === 'object') return { text, state };
  } catch {
    // Missing or torn: every output is checked by writing it again.
  }
  return { text, state: { format: FORMAT, outputs: {} } };
}

/** Whether the output at `to` is still the one written (its mtime is as recorded). */
function inPlace(to: string, known: Written): boolean {
  try {
    return lstatSync(to).mtimeMs === known.mtimeMs;
  } catch {
    return false;
  }
}

/** Put the store file `from` at `to`: written beside, then renamed, so a reader never sees half a file. */
function put(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.nomia-tmp`;
  rmSync(tmp, { force: true });
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), tmp);
  } else {
    copyFileSync(from, tmp);
    // Store files are read-only; ninja's outputs are the user's to change.
    chmodSync(tmp, st.mode & 0o111 ? 0o755 : 0o644);
  }
  if (existsSync(to) && statSync(to).isDirectory()) throw new NomiaError('ninja/unknown-target', `${to} is a directory, where the build writes a file`, { hint: 'remove it and build again' });
  renameSync(tmp, to);
}

/**
 * Place every `[path in DIR, store file]` of `last` in `dir`, leaving those
 * already in place, and record them (the state file is written only when it
 * changes). `beforeWrite` is asked once, before the first file is written
 * (to hold the store files meanwhile); when it says no, nothing is written
 * and the answer is undefined. `complete` false: `last` is what a failed
 * build made, which no memo answers with, so the state keeps no last build.
 */
export function placeOutputs(dir: string, last: LastBuild, beforeWrite: () => boolean = () => true, complete = true): Placed | undefined {
  const { text, state } = readState(dir);
  const outputs: Record<string, Written> = { ...state.outputs };
  let written = 0;
  for (const [rel, from] of last.placed) {
    const to = join(dir, rel);
    const known = state.outputs[rel];
    if (known && known.from === from && inPlace(to, known)) continue;
    if (written === 0 && !beforeWrite()) return undefined;
    put(from, to);
    written++;
    outputs[rel] = { from, mtimeMs: lstatSync(to).mtimeMs };
  }
  const next = JSON.stringify((complete ? { format: FORMAT, outputs, last } : { format: FORMAT, outputs }) satisfies State);
  if (next !== text) writeFileSync(join(dir, STATE), next);
  return { written, unchanged: last.placed.length - written };
}
