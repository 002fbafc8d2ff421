/**
 * The repository cache of the git namespace: one bare repository per
 * remote, `<store home>/cache/git/<sha256 of the repo's key>.git`, fetched
 * into incrementally, so the second revision of a repository costs only
 * what changed.
 *
 * Crash story. An entry is created by `git init` in tmp/ and renamed into
 * place, so it either does not exist or is a valid repository; a crash in a
 * fetch leaves what git leaves (git writes objects before it moves refs).
 * Every creation and fetch holds `<entry>.lock` (see lock.ts), so two
 * processes never fetch into one entry at once; reading objects needs no
 * lock (git's readers are safe beside a writer).
 *
 * What a fetch keeps reachable: each revision fetched by hash gets a ref
 * `refs/nomia/rev/<sha>`, and branches and tags, when all are fetched, live
 * under `refs/nomia/heads/` and `refs/nomia/tags/`; so git's own gc never
 * drops a commit a name was resolved to.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockFile, NomiaError, type Store, withWorkDir } from '../../namespace/index.js';
import { cacheKey, type RepoLocation } from './repo-url.js';
import { git, gitFailed, runGit, type GitEnvironment } from './run-git.js';

/** A cache entry, open for use. */
export interface RepoCache {
  readonly loc: RepoLocation;
  /** The bare repository. */
  readonly dir: string;
  readonly genv: GitEnvironment;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Where the git namespace keeps its caches in a store. */
export function cacheRoot(store: Store): string {
  return join(store.layout.home, 'cache', 'git');
}

/** The cache entry of a repository (it may not exist yet). */
export function cacheDir(store: Store, loc: RepoLocation): string {
  return join(cacheRoot(store), `${cacheKey(loc)}.git`);
}

export interface CacheOptions {
  readonly store: Store;
  readonly genv: GitEnvironment;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** A local path that does not exist is said plainly, before git says it in its own words. */
export function requireLocalRepo(loc: RepoLocation): void {
  const path = loc.local ? loc.key.slice('file://'.length) : undefined;
  if (path !== undefined && !existsSync(path)) {
    throw new NomiaError('git/failed', `the repository ${path} does not exist`, {
      hint: 'check `repo=`: a path to a git repository (a work tree or a bare one); a relative path is taken from the current directory',
    });
  }
}

/**
 * Run `f` holding the lock of `loc`'s cache entry, created first if needed.
 * `f` may fetch; nothing else fetches into that entry meanwhile.
 */
export async function withCache<T>(loc: RepoLocation, options: CacheOptions, f: (cache: RepoCache) => Promise<T>): Promise<T> {
  const { store, genv, log } = options;
  requireLocalRepo(loc);
  const root = cacheRoot(store);
  mkdirSync(root, { recursive: true });
  const dir = cacheDir(store, loc);
  const lock = await lockFile(`${dir}.lock`, () => log(`waiting for another process using the cache of ${loc.url}`), options.signal);
  try {
    if (!existsSync(dir)) await create(store, genv, loc, dir);
    return await f({ loc, dir, genv, log, ...(options.signal ? { signal: options.signal } : {}) });
  } finally {
    lock.release();
  }
}

async function create(store: Store, genv: GitEnvironment, loc: RepoLocation, dir: string): Promise<void> {
  await withWorkDir(store, async (work) => {
    const tmp = join(work, 'repo.git');
    // No template: no sample hooks, nothing from the system's git installation.
    await git(genv, ['init', '--quiet', '--bare', '--template=', tmp], 'create a repository cache');
    // A gc that git starts after a fetch runs in the foreground, under our lock, not in a detached process.
    await git(genv, ['--git-dir', tmp, 'config', 'gc.autoDetach', 'false'], 'configure the repository cache');
    writeFileSync(join(tmp, 'nomia-repo'), `${loc.url}\n`);
    renameSync(tmp, dir);
  });
}

/** The commit a revision names in the cache (peeling a tag), or undefined when it is not there. */
export async function peelCommit(cache: RepoCache, rev: string): Promise<string | undefined> {
  const r = await runGit(cache.genv, ['--git-dir', cache.dir, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`], opts(cache));
  return r.code === 0 ? r.stdout.toString().trim() : undefined;
}

function opts(cache: RepoCache) {
  return cache.signal ? { signal: cache.signal } : {};
}

const FETCH = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'];

/** Fetch one revision by its full hash; false when the server refuses or lacks it. */
async function fetchRev(cache: RepoCache, sha: string): Promise<{ ok: boolean; stderr: string }> {
  cache.log(`fetching ${sha} from ${cache.loc.url}`);
  const r = await runGit(cache.genv, ['--git-dir', cache.dir, ...FETCH, '--', cache.loc.url, `+${sha}:refs/nomia/rev/${sha}`], opts(cache));
  return { ok: r.code === 0, stderr: r.stderr };
}

/** Fetch every branch and tag (pruning the ones that are gone), for abbreviations and servers that refuse fetches by hash. */
export async function fetchAllRefs(cache: RepoCache): Promise<void> {
  cache.log(`fetching all branches and tags of ${cache.loc.url}`);
  const r = await runGit(cache.genv, ['--git-dir', cache.dir, ...FETCH, '--prune', '--', cache.loc.url,
    '+refs/heads/*:refs/nomia/heads/*', '+refs/tags/*:refs/nomia/tags/*'], opts(cache));
  if (r.code !== 0) throw unreachable(cache.loc, r.stderr);
}

/** A repository git could not fetch from (missing, not a repository, unreachable), with git's own words. */
export function unreachable(loc: RepoLocation, stderr: string): NomiaError {
  return gitFailed(`fetch from ${loc.url}`, stderr, loc.local
    ? 'check `repo=`: it must be a git repository (a work tree or a bare repository); a relative path is taken from the current directory'
    : 'check `repo=` and that the server is reachable (git runs without your git config; ssh uses your ssh agent)');
}

/**
 * Make the commit with full hash `sha` present in the cache and return it
 * (a tag's hash gives the commit it points at). A commit already there is
 * not fetched again.
 */
export async function ensureFullRev(cache: RepoCache, sha: string): Promise<string> {
  const have = await peelCommit(cache, sha);
  if (have) {
    cache.log(`${sha} is in the cache`);
    return have;
  }
  const byHash = await fetchRev(cache, sha);
  const fetched = byHash.ok ? await peelCommit(cache, sha) : undefined;
  if (fetched) return fetched;
  // Servers that do not serve a hash directly (protocol v0 without allowReachableSHA1InWant) still serve branches and tags.
  await fetchAllRefs(cache);
  const found = await peelCommit(cache, sha);
  if (found) return found;
  throw new NomiaError('git/rev-not-found', `the revision ${sha} is not a commit of ${cache.loc.url}`, {
    hint: `check \`rev=\`; \`git ls-remote ${cache.loc.url}\` lists the branches and tags it has`,
  });
}

/**
 * The full hash of an abbreviated revision, among the commits of the
 * repository's branches and tags as they are now (fetched first), and the
 * commits fetched before. Ambiguous or absent is an error.
 */
export async function resolveAbbreviated(cache: RepoCache, abbrev: string): Promise<string> {
  await fetchAllRefs(cache);
  const r = await runGit(cache.genv, ['--git-dir', cache.dir, 'rev-parse', '--verify', `${abbrev}^{commit}`], opts(cache));
  if (r.code === 0) return r.stdout.toString().trim();
  if (/is ambiguous/.test(r.stderr)) {
    const candidates = r.stderr.split('\n').map((l) => /^hint:\s+([0-9a-f]{4,})\s+(\w+)/.exec(l)).filter((m) => m).map((m) => `${m![1]} (${m![2]})`);
    throw new NomiaError('git/rev-ambiguous', `the abbreviated revision ${abbrev} is ambiguous in ${cache.loc.url}${candidates.length ? `: it starts ${candidates.join(', ')}` : ''}`, {
      hint: 'give more hex digits of the revision, or all 40',
    });
  }
  throw new NomiaError('git/rev-not-found', `no commit of ${cache.loc.url} starts with ${abbrev}`, {
    hint: `check \`rev=\`; an abbreviation is looked up among the commits of the branches and tags (\`git ls-remote ${cache.loc.url}\` lists them); a commit on none of them needs its full 40-digit hash`,
  });
}
