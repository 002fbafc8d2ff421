/**
 * Build logs, kept in the store by the spelling of the node that ran
 * (DESIGN.md §7: failures keep their log). A log is written once a node
 * ends, successful or not, by an atomic rename; a later run of the same
 * spelling replaces it. Logs are small and are not collected by gc (as Nix
 * keeps its build logs).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.js';

/** Longest log kept, in bytes: the head is dropped (the end of a log is what explains a failure). */
export const MAX_LOG_BYTES = 8 << 20;

function logPath(store: Store, spelling: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(spelling)) throw new Error(`not a spelling: ${spelling}`);
  return join(store.layout.home, 'logs', `${spelling}.log`);
}

export function writeLog(store: Store, spellings: readonly string[], lines: readonly string[]): void {
  let text = lines.join('\n') + (lines.length ? '\n' : '');
  if (Buffer.byteLength(text) > MAX_LOG_BYTES) text = `[… earlier lines dropped]\n${Buffer.from(text).subarray(-MAX_LOG_BYTES).toString('utf8')}`;
  mkdirSync(join(store.layout.home, 'logs'), { recursive: true });
  for (const s of new Set(spellings)) {
    const path = logPath(store, s);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
}

/** The log of a spelling, or undefined if none was kept. */
export function readLog(store: Store, spelling: string): string | undefined {
  try {
    return readFileSync(logPath(store, spelling), 'utf8');
  } catch {
    return undefined;
  }
}
