/**
 * A `run` request (docs/spec/protocol.md, "run"): one command line of the
 * CLI, to be run by a spare process as `bin/nomia.js` would run it in the
 * caller's place. Sent by the native client (client/nomia-client.c).
 */
import { resolve } from 'node:path';

/** What the caller's terminal is: which of its standard streams are terminals, and its width. */
export interface TerminalFacts {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** Columns of the terminal (of stderr, else stdout); 0 when neither is one. */
  readonly columns: number;
}

/** A validated `run` request. */
export interface RunRequest {
  /** The command line without program name (`process.argv.slice(2)` of the plain CLI). */
  readonly argv: readonly string[];
  /** The caller's working directory, absolute. */
  readonly cwd: string;
  /** The caller's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The caller's pid: the spare reads its standard input as `/proc/<pid>/fd/0`, and only when the command reads it. */
  readonly pid: number;
  /** The caller's umask: files the command creates get the modes they would in the caller. */
  readonly umask: number;
  readonly tty: TerminalFacts;
  /** The package root the client belongs to: a daemon of another installation (another version) does not serve it. */
  readonly package: string;
  /** The store the client found the daemon by, as given (relative to `cwd`). */
  readonly store: string;
}

/** Why a request is not run here; the client then runs the Node CLI itself. */
export type RunRefusal = string;

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The request in `body`, checked field by field, or why not (a refusal, never an error: the client falls back
 * to the Node CLI, which gives the user whatever message the command line deserves).
 */
export function parseRunRequest(body: Record<string, unknown>): RunRequest | RunRefusal {
  const { argv, cwd, env, pid, umask, tty, store } = body;
  if (!Array.isArray(argv) || !argv.every(isString)) return '"argv" must be a list of strings';
  if (!isString(cwd) || !cwd.startsWith('/')) return '"cwd" must be an absolute path';
  if (typeof env !== 'object' || env === null || Array.isArray(env) || !Object.values(env).every(isString)) return '"env" must be an object of strings';
  if (!isCount(pid) || pid === 0) return '"pid" must be a process id';
  if (!isCount(umask) || umask > 0o777) return '"umask" must be a mode';
  const t = tty as Partial<TerminalFacts> | undefined;
  if (typeof t !== 'object' || t === null || typeof t.stdin !== 'boolean' || typeof t.stdout !== 'boolean' || typeof t.stderr !== 'boolean' || !isCount(t.columns)) {
    return '"tty" must be {"stdin", "stdout", "stderr": booleans, "columns": a count}';
  }
  if (!isString(body['package']) || !isString(store)) return '"package" and "store" must be paths';
  return {
    argv, cwd, env: env as Record<string, string>, pid, umask,
    tty: { stdin: t.stdin, stdout: t.stdout, stderr: t.stderr, columns: t.columns },
    package: body['package'], store: resolve(cwd, store),
  };
}
