/**
 * The results a name is known to have, found from what realize recorded,
 * without running anything: for the commands that answer questions about
 * names already realized (`why-depends`, `path-info`, `diff-closures`, …).
 * A name realized before is found as realize finds it (`whole-name.ts`: by
 * its text, then by its spelling), else by following its chain of reductions
 * (`materialize`); an object named by content is found directly.
 */
import { NomiaError } from '../errors.js';
import { parseName } from '../name/parse.js';
import type { Registry } from '../namespace/registry.js';
import type { Resource } from '../resource/types.js';
import { entryOf, type Store } from '../store/store.js';
import { materialize } from './reductions.js';
import { prepare, resolve } from './resolve.js';
import { lookupGraph, lookupText, textKey } from './whole-name.js';

/** The recorded results of the name `text`, each present in the store, or undefined when none are recorded. */
export function recordedResults(store: Store, text: string, registry: Registry): readonly Resource[] | undefined {
  const byText = lookupText(store, textKey(text, registry));
  const found = byText && lookupGraph(store, byText, registry);
  if (found) return found;
  let spelled;
  try {
    spelled = prepare(parseName(text), registry, text).spellings.name;
  } catch {
    spelled = undefined;
  }
  const bySpelling = spelled && lookupGraph(store, spelled, registry);
  if (bySpelling) return bySpelling;
  const m = materialize(store, text, registry);
  return m && [m.resource];
}

/** Stops a check of a name at its first named namespace, which only realizing could resolve. */
const NAMED = Symbol('named namespace');

/**
 * Why the name `text` could never have been realized, as the error realize would give (a syntax error,
 * an unknown namespace or name, a missing input). Returns whether the name depends on the caller's
 * context (then nothing is ever recorded for it as named). Resolving describes every node and realizes
 * nothing.
 */
async function checkResolves(text: string, registry: Registry): Promise<{ readonly contextual: boolean }> {
  try {
    const resolved = await resolve(parseName(text), registry, text, () => Promise.reject(NAMED));
    return { contextual: resolved.nodes.some((n) => n.tainted) };
  } catch (e) {
    if (e !== NAMED) throw e;
    return { contextual: false };
  }
}

/**
 * The store objects (entries, `<hash>-<name>`) the name `text` has realized to, one per result, in the
 * name's order. Throws `query/not-realized` when nothing is recorded for it (it is not built here), the
 * error realize would give for a name that cannot be realized at all (an unknown namespace), and
 * `usage` when its results are values rather than objects.
 */
export async function recordedObjects(store: Store, text: string, registry: Registry): Promise<string[]> {
  const results = recordedResults(store, text, registry);
  if (!results) {
    const { contextual } = await checkResolves(text, registry);
    throw new NomiaError('query/not-realized', `${text} has no recorded results in the store ${store.layout.home}`, {
      hint: contextual
        ? 'it depends on the caller\'s context (files, environment), so no result is recorded for it by name: give the store path `nomia realize NAME` prints'
        : 'realize it first (`nomia realize NAME`); queries only read what is recorded and never build',
    });
  }
  const entries = results.flatMap((r) => (r.kind === 'object' ? [entryOf(store, r.path)] : [])).filter((e): e is string => e !== undefined);
  if (!entries.length) {
    throw new NomiaError('usage', `the results of ${text} are values, not store objects`, { hint: 'give a name whose results are files or directories, or a store path' });
  }
  return entries;
}
