/**
 * Running the `git` CLI for the git namespace: spawned without a shell, in
 * an environment built from scratch so that what a name produces never
 * depends on the user's git configuration (no system or global config, an
 * empty HOME, no prompts, C locale for messages we match on).
 *
 * Only what a transport needs to reach a server is let through from the
 * caller's environment (PATH, an ssh agent, proxies): it can change whether
 * a fetch succeeds, never what it fetches, because a revision is a hash.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { NomiaError } from '../../namespace/index.js';

/** Variables of the caller passed to git unchanged: transport only. */
const PASSED = ['SSH_AUTH_SOCK', 'GIT_SSH_COMMAND', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'ALL_PROXY', 'all_proxy'];

export interface GitEnvironment {
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The environment every git command of the namespace runs in. `emptyHome` is
 * created if needed and must stay empty.
 */
export function gitEnvironment(callerEnv: Readonly<Record<string, string | undefined>>, emptyHome: string): GitEnvironment {
  mkdirSync(emptyHome, { recursive: true });
  const env: Record<string, string> = {
    PATH: callerEnv['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: emptyHome,
    XDG_CONFIG_HOME: emptyHome,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    // Replace refs would let a repository show other content under a commit's hash.
    GIT_NO_REPLACE_OBJECTS: '1',
    LC_ALL: 'C',
    LANGUAGE: 'C',
  };
  for (const k of PASSED) {
    const v = callerEnv[k];
    if (v !== undefined) env[k] = v;
  }
  return { env };
}

/** Configuration given on every command line, over whatever a repository's own config says. */
const COMMON = ['-c', 'protocol.ext.allow=never', '-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false'];

export interface GitResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface GitOptions {
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly input?: Buffer | string;
}

/** Start `git args…` with its three streams piped, for callers that stream its output. */
export function spawnGit(genv: GitEnvironment, args: readonly string[], signal?: AbortSignal): ChildProcessWithoutNullStreams {
  return spawn('git', [...COMMON, ...args], { env: genv.env, stdio: ['pipe', 'pipe', 'pipe'], ...(signal === undefined ? {} : { signal }) });
}

/** Run `git args…`; resolves with its exit status and output (a non-zero status is not an exception here). */
export function runGit(genv: GitEnvironment, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', [...COMMON, ...args], {
      env: genv.env, stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(spawnError(e)));
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Like runGit, but a non-zero status is a `git/failed` error saying what we were doing. */
export async function git(genv: GitEnvironment, args: readonly string[], doing: string, options: GitOptions = {}): Promise<Buffer> {
  const r = await runGit(genv, args, options);
  if (r.code !== 0) throw gitFailed(doing, r.stderr);
  return r.stdout;
}

/** A `git/failed` error: what we were doing, then git's fatal and error lines (its advice lines left out). */
export function gitFailed(doing: string, stderr: string, hint?: string): NomiaError {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('hint:'));
  // git's own verdict is on its fatal/error lines; the rest is advice meant for a terminal.
  const verdict = lines.filter((l) => /^(fatal|error):/.test(l)).map((l) => l.replace(/^(fatal|error):\s*/, ''));
  const shown = [...new Set(verdict.length ? verdict : lines)].slice(-3);
  return new NomiaError('git/failed', `git failed to ${doing}${shown.length ? `: ${shown.join('; ')}` : ''}`, hint === undefined ? {} : { hint });
}

/** Why git could not be started (not installed) or was stopped (the realize was cancelled). */
export function spawnError(e: Error): NomiaError {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
    return new NomiaError('git/failed', 'the git namespace needs the `git` program, and it is not on PATH', { hint: 'install git (Debian: apt-get install git)' });
  }
  if (e.name === 'AbortError') return new NomiaError('git/failed', 'git was stopped: the realize was cancelled');
  return new NomiaError('git/failed', `cannot run git: ${e.message}`);
}
