/**
 * Build logs, kept in the store by the spelling of the node that ran
 * (DESIGN.md §7: failures keep their log). A log is written once a node
 * ends, successful or not, by an atomic rename; a later run of the same
 * spelling by the same user replaces it. Logs are small and are not
 * collected by gc (as Nix keeps its build logs).
 *
 * Each user has a directory of their own (`logs/u<uid>/`): in a store shared
 * by a group, one user's failed run (say, for want of a permission) must not
 * replace the log another user's run left, and a user cannot replace a file
 * another user owns in place. Reading prefers the reader's own log, then the
 * newest another user left, then one from before logs were per user.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from './replace-file.js';
import type { Store } from './store.js';

/** Longest log kept, in bytes: the head is dropped (the end of a log is what explains a failure). */
export const MAX_LOG_BYTES = 8 << 20;

function logsDir(store: Store): string {
  return join(store.layout.home, 'logs');
}

function fileName(spelling: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(spelling)) throw new Error(`not a spelling: ${spelling}`);
  return `${spelling}.log`;
}

/** This process's own log directory. */
function ownDir(store: Store): string {
  return join(logsDir(store), `u${process.geteuid?.() ?? 0}`);
}

export function writeLog(store: Store, spellings: readonly string[], lines: readonly string[]): void {
  let text = lines.join('\n') + (lines.length ? '\n' : '');
  if (Buffer.byteLength(text) > MAX_LOG_BYTES) text = `[… earlier lines dropped]\n${Buffer.from(text).subarray(-MAX_LOG_BYTES).toString('utf8')}`;
  const dir = ownDir(store);
  for (const s of new Set(spellings)) {
    const path = join(dir, fileName(s));
    replaceFile(path, text, `${path}.${process.pid}.tmp`);
  }
}

/** Whether this user has kept a log under every one of `spellings`. */
export function hasOwnLog(store: Store, spellings: readonly string[]): boolean {
  const dir = ownDir(store);
  return spellings.every((s) => existsSync(join(dir, fileName(s))));
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The log of a spelling, or undefined if none was kept. */
export function readLog(store: Store, spelling: string): string | undefined {
  const name = fileName(spelling);
  const own = readIfThere(join(ownDir(store), name));
  if (own !== undefined) return own;
  let newest: { path: string; mtime: number } | undefined;
  let users: string[] = [];
  try {
    users = readdirSync(logsDir(store)).filter((d) => /^u\d+$/.test(d));
  } catch {
    // No logs at all.
  }
  for (const u of users) {
    const path = join(logsDir(store), u, name);
    try {
      const mtime = statSync(path).mtimeMs;
      if (!newest || mtime > newest.mtime) newest = { path, mtime };
    } catch {
      // None from this user.
    }
  }
  return (newest && readIfThere(newest.path)) ?? readIfThere(join(logsDir(store), name));
}
