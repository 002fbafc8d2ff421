/**
 * Asking apt about the archive, with state of our own.
 *
 * apt reads the user's configuration as always: the sources
 * (`/etc/apt/sources.list`, `sources.list.d/`), the proxies and keys of
 * `apt.conf`, the `http_proxy` variables. Only its state is redirected
 * into the store's cache (`cacheDir(store, 'deb')`): its own copy of the
 * index, an empty dpkg status (so it resolves as for a clean system, never
 * against what this machine has installed) and an empty archive cache (so
 * it lists every package, not only those it has not downloaded yet). The
 * system's apt state is never read or written, and no root is needed for
 * that state.
 *
 * The index is refreshed (`apt-get update`) when it is older than
 * `NOMIA_DEB_TTL` seconds (default 3600, like Nix's tarball-ttl), so a
 * contextual name realized twice in a row asks the archive once; 0 asks
 * every time. Retries are off: an unreachable archive fails in seconds.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, lockFile, NomiaError, type RealizeContext, type Store } from '../../namespace/index.js';
import { answerKey, keepAnswer, keptAnswer } from './answers.js';

const DEFAULT_TTL_S = 3600;
/**
 * Variables of the caller apt sees: the path, the proxies (they decide
 * whether the archive is reached, never what it sends) and APT_CONFIG (the
 * user's apt configuration, wherever it is).
 */
const PASSED = ['PATH', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'ftp_proxy', 'APT_CONFIG'];

/** One package file as the archive's index lists it. */
export interface DebRef {
  readonly package: string;
  /** With its epoch, e.g. `1:1.2.13.dfsg-1`. */
  readonly version: string;
  readonly arch: string;
  /** Lowercase hex SHA-256 of the .deb, from the signed index. */
  readonly sha256: string;
  readonly uri: string;
  readonly size: number;
}

/** apt's state directories for one store. */
export interface AptState {
  readonly root: string;
  readonly lists: string;
  readonly options: readonly string[];
  /**
   * A directory that holds no package file, where apt's questions run: `apt-get source --print-uris`
   * leaves out every file already in its working directory, so asked in a directory where the user ran
   * `apt-get source X`, it would list no `.dsc` for X.
   */
  readonly empty: string;
}

export function aptState(store: Store): AptState {
  const root = cacheDir(store, 'deb');
  const lists = join(root, 'lists');
  const cache = join(root, 'cache');
  const archives = join(root, 'no-archives');
  const status = join(root, 'status');
  for (const d of [join(lists, 'partial'), cache, join(archives, 'partial')]) mkdirSync(d, { recursive: true });
  writeFileSync(status, '', { flag: 'a' });
  const o = (kv: string) => ['-o', kv];
  const options = [
    ...o(`Dir::State::Lists=${lists}`), ...o(`Dir::State::status=${status}`), ...o(`Dir::Cache=${cache}`),
    ...o(`Dir::Cache::archives=${archives}`), ...o(`Dir::Cache::pkgcache=${join(cache, 'pkgcache.bin')}`),
    ...o(`Dir::Cache::srcpkgcache=${join(cache, 'srcpkgcache.bin')}`),
    // As root apt would download as the user _apt, who cannot write into the store's cache.
    ...o('APT::Sandbox::User=root'), ...o('Acquire::ForceHash=SHA256'), ...o('Acquire::Retries=0'),
    // A closure is what packages need (Depends, Pre-Depends), not what they recommend.
    ...o('APT::Install-Recommends=false'), ...o('APT::Install-Suggests=false'),
  ];
  return { root, lists, options, empty: archives };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run an apt program with the caller's proxies and a C locale; a non-zero status is not an exception here. */
export function runApt(ctx: RealizeContext, program: string, args: readonly string[], cwd?: string): Promise<Run> {
  const env: Record<string, string> = { LC_ALL: 'C', LANGUAGE: 'C', DEBIAN_FRONTEND: 'noninteractive' };
  for (const k of PASSED) {
    const v = ctx.context.env[k];
    if (v !== undefined) env[k] = v;
  }
  env['PATH'] ??= '/usr/local/bin:/usr/bin:/bin';
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal: ctx.signal, ...(cwd === undefined ? {} : { cwd }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject((e as NodeJS.ErrnoException).code === 'ENOENT'
      ? new NomiaError('deb/apt', `${program} is not installed: the deb namespace asks apt about the archive`, { hint: 'run it on a Debian or Ubuntu system (apt-get install apt)' })
      : e));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** The lines apt printed as errors (`E: …`), or its whole stderr. */
function aptErrors(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('E: ') || l.startsWith('W: '));
  return (lines.length ? lines : stderr.trim().split('\n')).join('\n  ');
}

function ttlMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env['NOMIA_DEB_TTL'];
  if (text === undefined || text === '') return DEFAULT_TTL_S * 1000;
  if (!/^\d+$/.test(text)) throw new NomiaError('usage', `NOMIA_DEB_TTL=${text} is not a whole number of seconds`, { hint: `e.g. NOMIA_DEB_TTL=0 to ask the archive every time; unset, it is ${DEFAULT_TTL_S}` });
  return Number(text) * 1000;
}

/**
 * Make sure the index is at most `NOMIA_DEB_TTL` old: `apt-get update` into
 * our own lists when it is not. Throws `deb/unreachable` when the archive
 * cannot be reached (the old index is then not used: a contextual name
 * means the archive as of now). Returns when the index is due for its next
 * refresh (epoch ms): until then, what it answers holds.
 */
export async function freshIndex(ctx: RealizeContext, state: AptState): Promise<number> {
  const stamp = join(state.root, 'updated');
  const ttl = ttlMs(ctx.context.env);
  const due = () => (statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity) + ttl;
  const before = due();
  if (ctx.context.now < before) return before;
  // apt takes its own lock and fails at once when it is held; ours waits instead.
  const lock = await lockFile(join(state.root, 'update.lock'), () => ctx.log('waiting for another update of the index'), ctx.signal);
  try {
    // Another process may have refreshed it while this one waited for the lock.
    const meanwhile = due();
    if (ctx.context.now < meanwhile) return meanwhile;
    ctx.log('updating the index of the archive (apt-get update)');
    const r = await runApt(ctx, 'apt-get', [...state.options, '-qq', '--error-on=any', 'update']);
    if (r.code !== 0) {
      throw new NomiaError('deb/unreachable', `cannot read the index of the Debian archive apt is configured with:\n  ${aptErrors(r.stderr)}`, {
        hint: 'check the network, the proxy (http_proxy, Acquire::http::Proxy) and /etc/apt/sources.list*; names already realized (deb:exact, a closure\'s exact name) work offline',
      });
    }
    writeFileSync(stamp, '');
    const now = new Date(ctx.context.now);
    utimesSync(stamp, now, now);
    return ctx.context.now + ttl;
  } finally {
    lock.release();
  }
}

/** One file apt would download: `'URI' FILE SIZE SHA256:HEX`, a line of `--print-uris`. */
export interface UriLine {
  readonly uri: string;
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
}

export function parseUriLines(text: string): UriLine[] {
  const lines: UriLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^'([^']+)' (\S+) (\d+) SHA256:([0-9a-f]{64})$/.exec(line.trim());
    if (m) lines.push({ uri: m[1]!, file: m[2]!, size: Number(m[3]), sha256: m[4]! });
  }
  return lines;
}

/** Package files among `--print-uris` lines: apt names them `PACKAGE_VERSION_ARCH.deb`, the version's `:` written `%3a`. */
export function parseUris(text: string): DebRef[] {
  return parseUriLines(text).flatMap((l) => {
    const m = /^([^_]+)_([^_]+)_([^_]+)\.deb$/.exec(l.file);
    return m ? [{ uri: l.uri, package: m[1]!, version: decodeURIComponent(m[2]!), arch: m[3]!, size: l.size, sha256: l.sha256 }] : [];
  });
}

/**
 * Run `apt-get --print-uris -qq args…` against our state, or take its kept
 * answer (answers.ts); a failure is `deb/not-found` (or `deb/no-sources` for
 * source packages), and is never kept.
 */
async function printed(ctx: RealizeContext, state: AptState, args: readonly string[], what: string): Promise<string> {
  const question = [...state.options, '-qq', '--print-uris', ...args];
  // Answers kept before questions ran in `state.empty` may lack files of the asker's directory: not reused.
  const key = answerKey(ctx, state.lists, [...question, '(asked in an empty directory)']);
  const kept = key === undefined ? undefined : keptAnswer(state.root, key);
  if (kept !== undefined) return kept;
  const r = await runApt(ctx, 'apt-get', question, state.empty);
  if (r.code === 0) {
    if (key !== undefined) keepAnswer(state.root, key, r.stdout);
    return r.stdout;
  }
  if (/deb-src/.test(r.stderr)) {
    throw new NomiaError('deb/no-sources', `cannot find the source package ${what}: apt is configured with no deb-src entries`, {
      hint: 'add deb-src entries beside the deb ones (e.g. copy /etc/apt/sources.list.d/debian.sources with Types: deb-src to debian-src.sources; .ci/run shows how)',
    });
  }
  throw new NomiaError('deb/not-found', `apt cannot resolve ${what} in the archive's index:\n  ${aptErrors(r.stderr)}`, {
    hint: 'check the package names (apt-cache policy NAME); a version the archive no longer lists cannot be downloaded from it',
  });
}

/**
 * Like `printUris`, but a question apt refuses in part (a version the index
 * does not list) is an answer too: the package files it did list, and its
 * error lines. Kept like any answer (answers.ts), refusals included: with the
 * same index and configuration apt refuses the same, and asking again costs
 * a second or more. An apt that fails without saying why is an error, not kept.
 */
export async function askUris(ctx: RealizeContext, state: AptState, args: readonly string[], what: string): Promise<{ readonly refs: DebRef[]; readonly refused: readonly string[] }> {
  const question = [...state.options, '-qq', '--print-uris', ...args];
  const key = answerKey(ctx, state.lists, [...question, '(refusals kept)']);
  const kept = key === undefined ? undefined : keptAnswer(state.root, key);
  const answer = kept !== undefined ? JSON.parse(kept) as { stdout: string; refused: string[] } : await (async () => {
    const r = await runApt(ctx, 'apt-get', question, state.empty);
    const refused = r.code === 0 ? [] : r.stderr.split('\n').filter((l) => l.startsWith('E: ')).map((l) => l.slice(3));
    if (r.code !== 0 && refused.length === 0) throw new NomiaError('deb/not-found', `apt cannot resolve ${what} in the archive's index:\n  ${aptErrors(r.stderr)}`);
    const a = { stdout: r.stdout, refused };
    if (key !== undefined) keepAnswer(state.root, key, JSON.stringify(a));
    return a;
  })();
  return { refs: parseUris(answer.stdout), refused: answer.refused };
}

/** The files of a source package (`.dsc` and what it lists) as the index gives them. */
export async function sourceUris(ctx: RealizeContext, state: AptState, what: string): Promise<UriLine[]> {
  return parseUriLines(await printed(ctx, state, ['source', what], `${what} (source)`));
}

/**
 * What apt would download for `args` (e.g. `install gcc make` against the
 * empty status: a whole closure; `download hello:amd64=2.10-3`: one file),
 * from the index as it is. `what` names the request in errors.
 */
export async function printUris(ctx: RealizeContext, state: AptState, args: readonly string[], what: string): Promise<DebRef[]> {
  return parseUris(await printed(ctx, state, args, what));
}

/**
 * Download `refs` into `dir` (as `<sha256>`) with apt's own downloader,
 * which checks each file's SHA-256 against the one given (and we check again
 * before storing anything). Throws `deb/unreachable` or `deb/hash-mismatch`.
 * It logs what it downloads unless `quiet` (the caller said so already).
 */
export async function download<T extends { readonly uri: string; readonly sha256: string; readonly size: number }>(ctx: RealizeContext, refs: readonly T[], dir: string, options: { readonly quiet?: boolean } = {}): Promise<Map<T, string>> {
  const files = new Map<T, string>();
  const args: string[] = ['-o', 'APT::Sandbox::User=root', '-o', 'Acquire::Retries=0', '-qq', 'download-file'];
  for (const ref of refs) {
    const file = join(dir, ref.sha256);
    files.set(ref, file);
    args.push(ref.uri, file, `SHA256:${ref.sha256}`);
  }
  if (refs.length === 0) return files;
  if (!options.quiet) ctx.log(`downloading ${refs.length} file${refs.length === 1 ? '' : 's'} (${refs.reduce((n, r) => n + r.size, 0)} bytes)`);
  const r = await runApt(ctx, '/usr/lib/apt/apt-helper', args, dir);
  if (r.code !== 0) {
    const mismatch = /Hash Sum mismatch/.test(r.stderr);
    throw new NomiaError(mismatch ? 'deb/hash-mismatch' : 'deb/unreachable', `cannot download from the Debian archive:\n  ${aptErrors(r.stderr)}\nnothing was stored`, {
      hint: mismatch ? 'the archive sent other bytes than the sha256 in the name: the name is wrong or the download was tampered with' : 'check the network and the proxy (http_proxy, Acquire::http::Proxy)',
    });
  }
  return files;
}
