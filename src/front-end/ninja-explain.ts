/**
 * Why an edge runs (`nomia ninja -d explain`, docs/namespaces/ninja.md,
 * "Why an edge runs"), in nomia's terms. An edge runs when its name has no
 * recorded result, and its name is made of its inputs' content: so the
 * reason is which of its inputs came out with other content than in the
 * last build of this directory (a source, a header tree, an output of
 * another edge, the toolchain), or, when none did, that this name was
 * never recorded here (its command or flags changed, or a gc took it).
 *
 * The last build's inputs are kept beside build.ninja in
 * `.nomia_ninja_inputs`: each plan node's refined name (what its result is
 * by content), keyed by what it stands for across builds: a source or
 * header tree by its name (`filesystem:import?path=…`), an edge by its
 * first output. It is read from the engine's events, so every build keeps
 * it, and a build that failed keeps what it realized.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../engine/events.js';
import type { Plan } from '../namespaces/ninja/translate.js';
import { declAt } from './edge-failure.js';

const FILE = '.nomia_ninja_inputs';

/** Each plan node's refined name in a build, by what it stands for across builds. */
export type InputRecord = Readonly<Record<string, string>>;

/** The record the last build of `dir` kept (empty when there is none, or it cannot be read). */
export function readInputRecord(dir: string): InputRecord {
  try {
    const r = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as unknown;
    return r && typeof r === 'object' && !Array.isArray(r) ? (r as InputRecord) : {};
  } catch {
    return {};
  }
}

/** The `$var` references of a declaration's text, outside its quoted strings: the nodes it takes as inputs. */
function references(text: string): string[] {
  const refs: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (text[i] === '$') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (m) refs.push(m[0]);
    }
  }
  return refs;
}

/** A short form of a refined name for a message: its sha256 cut to 12 digits. */
const short = (name: string) => name.replace(/sha256=([0-9a-f]{12})[0-9a-f]{52}/g, 'sha256=$1…');

/**
 * Watch a build of `plan` in `dir`: the record of this build (the last one's, updated with what this
 * one realized) and, when `explain` is given, one line per edge that runs, saying why.
 */
export function inputRecorder(plan: Plan, previous: InputRecord, explain?: (line: string) => void): { readonly listener: (event: EngineEvent) => void; record(): InputRecord } {
  const lines = plan.text.split('\n');
  // Line n (1-based) of the plan declares `var = name`: var → line.
  const lineOf = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*) = /.exec(l);
    if (m) lineOf.set(m[1]!, i + 1);
  });
  const labels = new Map<number, string>();
  const now: Record<string, string> = { ...previous };
  const keyOf = (line: number): string | undefined => {
    const decl = declAt(plan, `${line}:1`);
    if (!decl) return undefined;
    return decl.kind === 'support' ? labels.get(line) : decl.kind === 'file' ? decl.path : decl.paths[0];
  };
  const why = (line: number): string => {
    const own = keyOf(line);
    if (own === undefined || previous[own] === undefined) return 'no record: not built in this build directory before';
    const inputs = references(lines[line - 1] ?? '').map((v) => lineOf.get(v)).filter((n): n is number => n !== undefined);
    const changed = inputs.flatMap((n) => {
      const k = keyOf(n);
      if (k === undefined || previous[k] === now[k] || now[k] === undefined) return [];
      return [previous[k] === undefined ? `${k} (new: ${short(now[k])})` : `${k} (${short(now[k])}, was ${short(previous[k])})`];
    });
    if (changed.length) return `its inputs changed since the last build: ${changed.join('; ')}`;
    return 'its inputs are as in the last build, but its name has no recorded result: its command or flags changed, or a gc removed the result';
  };
  return {
    listener: (event) => {
      // Nodes a namespace realized itself (`parent`) are not the plan's.
      if (!('node' in event) || event.parent !== undefined || event.at === undefined) return;
      const line = Number(event.at.split(':')[0]);
      if (event.kind === 'realizing' || event.kind === 'cache-hit' || event.kind === 'ready') labels.set(line, event.label);
      const decl = declAt(plan, event.at);
      if (event.kind === 'realizing' && explain && decl && decl.kind !== 'support') explain(`${keyOf(line)}: ${why(line)}`);
      const refined = event.kind === 'ready' ? Object.values(event.outputs)[0] : event.kind === 'cache-hit' ? event.to : undefined;
      const k = keyOf(line);
      if (refined !== undefined && k !== undefined) now[k] = refined;
    },
    record: () => now,
  };
}

/** Keep `record` for the next build of `dir` (written only when it changed). */
export function keepInputRecord(dir: string, previous: InputRecord, record: InputRecord): void {
  const text = JSON.stringify(Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1))));
  if (text !== JSON.stringify(Object.fromEntries(Object.entries(previous).sort(([a], [b]) => (a < b ? -1 : 1))))) writeFileSync(join(dir, FILE), text);
}
