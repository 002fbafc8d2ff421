/**
 * A guess, before a compile run as a command runs, of whether its exact
 * name is recorded already (compile-command.ts): the files one of its last
 * few runs read have the same content now. A guess only picks the order of
 * the work (discovery first, or the compile at once): a wrong one costs a
 * run, never a wrong object. Hints live in the store's
 * `cache/ninja/compile-hints/`, one small file per edge (its command,
 * working directory, outputs and toolchain); removing the folder is always
 * safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, replaceFile, type Store } from '../../namespace/index.js';
import type { EdgeRun } from './command.js';

/** A file a compile read: its sandbox path and where it is on the host now. */
export interface Read {
  readonly path: string;
  readonly host: string;
}

/** What one run read: each file's sandbox path and sha256. */
type Hint = readonly (readonly [string, string])[];

/** How many of an edge's last runs a guess looks at. */
const KEPT = 4;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function hintPath(store: Store, edge: EdgeRun): string {
  const key = createHash('sha256').update(JSON.stringify([edge.toolchain.name, edge.text, edge.dir, edge.outputs, edge.depfile])).digest('hex');
  return join(cacheDir(store, 'ninja'), 'compile-hints', key);
}

function readHints(path: string): Hint[] {
  try {
    const hints = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(hints) ? hints.filter((h): h is Hint => Array.isArray(h)) : [];
  } catch {
    return [];
  }
}

/** Whether one of the edge's last runs read files with the same content as `view` shows now. */
export function likelyRecorded(store: Store, edge: EdgeRun, view: (path: string) => string | undefined): boolean {
  return readHints(hintPath(store, edge)).some((h) => h.length > 0 && h.every(([path, hash]) => {
    const host = view(path);
    try {
      return host !== undefined && sha256(host) === hash;
    } catch {
      return false;
    }
  }));
}

/** Keep what this run read, for the next guess (written whole and renamed into place). */
export function keepReads(store: Store, edge: EdgeRun, read: readonly Read[]): void {
  const hint: Hint = read.map((r) => [r.path, sha256(r.host)] as const);
  const path = hintPath(store, edge);
  const hints = [hint, ...readHints(path).filter((h) => JSON.stringify(h) !== JSON.stringify(hint))].slice(0, KEPT);
  try {
    replaceFile(path, JSON.stringify(hints), `${path}.${randomBytes(6).toString('hex')}`);
  } catch {
    // A hint that cannot be kept only makes the next guess worse.
  }
}
