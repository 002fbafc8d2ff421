/**
 * A revision's tree, with its submodules when asked: each submodule is
 * fetched into its own cache entry at the commit the superproject records
 * (not its latest), its URL resolved against the superproject's as git
 * does, and written at its path, recursively.
 */
import { join } from 'node:path';
import { NomiaError } from '../../namespace/index.js';
import { cacheDir, ensureFullRev, withCache, type CacheOptions } from './cache.js';
import { locate, resolveSubmoduleUrl, type RepoLocation } from './repo-url.js';
import { runGit, type GitEnvironment } from './run-git.js';
import { sealDirectories, writeTree, type Gitlink } from './write-tree.js';

/** Submodules of submodules of …: deeper than this is taken for a loop. */
const MAX_DEPTH = 16;

interface Submodule {
  readonly name: string;
  readonly path?: string;
  readonly url?: string;
}

/** The submodules declared in `.gitmodules` at `commit` (none if it has no such file). */
async function gitmodules(genv: GitEnvironment, gitDir: string, commit: string, signal?: AbortSignal): Promise<Submodule[]> {
  const r = await runGit(genv, ['--git-dir', gitDir, 'config', '--blob', `${commit}:.gitmodules`, '-z', '--list'], signal ? { signal } : {});
  if (r.code !== 0) return [];
  const byName = new Map<string, { name: string; path?: string; url?: string }>();
  for (const record of r.stdout.toString().split('\0')) {
    const nl = record.indexOf('\n');
    if (nl < 0) continue;
    const key = record.slice(0, nl);
    const value = record.slice(nl + 1);
    const dot = key.lastIndexOf('.');
    if (!key.startsWith('submodule.') || dot <= 'submodule.'.length) continue;
    const name = key.slice('submodule.'.length, dot);
    const field = key.slice(dot + 1);
    const m = byName.get(name) ?? { name };
    if (field === 'path') m.path = value;
    if (field === 'url') m.url = value;
    byName.set(name, m);
  }
  return [...byName.values()];
}

export interface CheckoutOptions extends CacheOptions {
  readonly submodules: boolean;
}

/**
 * Write the tree of `commit` (present in `loc`'s cache) into `dest`, with
 * its submodules if asked, in the store's normalized metadata.
 */
export async function writeCommit(loc: RepoLocation, commit: string, dest: string, options: CheckoutOptions, depth = 0): Promise<void> {
  const { genv, signal } = options;
  const gitDir = cacheDir(options.store, loc);
  const { gitlinks, dirs } = await writeTree(genv, gitDir, commit, dest, signal);
  if (options.submodules && gitlinks.length > 0) await writeSubmodules(loc, commit, dest, gitlinks, options, depth);
  sealDirectories(dirs);
}

async function writeSubmodules(loc: RepoLocation, commit: string, dest: string, links: readonly Gitlink[], options: CheckoutOptions, depth: number): Promise<void> {
  const { genv, signal } = options;
  const gitDir = cacheDir(options.store, loc);
  if (depth >= MAX_DEPTH) throw new NomiaError('git/failed', `submodules of ${loc.url} are nested more than ${MAX_DEPTH} deep`, { hint: 'a submodule that contains its superproject? fetch without submodules=true' });
  const modules = await gitmodules(genv, gitDir, commit, signal);
  for (const link of links) {
    const path = link.path.toString();
    const mod = modules.find((m) => m.path !== undefined && m.path.replace(/\/+$/, '') === path);
    if (!mod?.url) {
      throw new NomiaError('git/failed', `the submodule at ${path} in ${loc.url} (${commit}) has no url in .gitmodules`, {
        hint: 'the superproject is incomplete at this revision; fetch it without submodules=true',
      });
    }
    const url = resolveSubmoduleUrl(loc.url, mod.url);
    if (url === undefined) {
      throw new NomiaError('git/failed', `the submodule ${mod.name} of ${loc.url} has the url ${JSON.stringify(mod.url)}, which cannot be resolved`, {
        hint: 'a relative submodule url must start with ./ or ../ and stay below the superproject\'s host or root',
      });
    }
    const sub = locate(url, '/');
    // A repository from elsewhere must not pull repositories of this machine into the store.
    if (sub.local && !loc.local) {
      throw new NomiaError('git/failed', `the submodule ${mod.name} of ${loc.url} points at a local repository (${url})`, {
        hint: 'only a local superproject may have local submodules',
      });
    }
    options.log(`submodule ${path}: ${url} at ${link.sha}`);
    const sha = await withCache(sub, options, (cache) => ensureFullRev(cache, link.sha));
    await writeCommit(sub, sha, join(dest, path), options, depth + 1);
  }
}
