/**
 * What a ref of a remote repository points at now: `git ls-remote`, then
 * git's own rules for a short ref (`main` is `refs/tags/main` before
 * `refs/heads/main`, as in `git fetch origin main`), an annotated tag
 * peeled to its commit. No objects are fetched: that is exact-fetch's job.
 */
import { NomiaError } from '../../namespace/index.js';
import type { RepoLocation } from './repo-url.js';
import { runGit, type GitEnvironment } from './run-git.js';
import { requireLocalRepo, unreachable } from './cache.js';

/** git's order for expanding a short ref name (refs.c, ref_rev_parse_rules). */
function candidates(ref: string): string[] {
  return [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`, `refs/remotes/${ref}/HEAD`];
}

/**
 * A ref name the namespace accepts: git's rules (check-ref-format), one
 * level allowed (`main`, `HEAD`), and never an option.
 */
export function isValidRef(ref: string): boolean {
  if (!ref || ref.startsWith('-') || ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|\/\./.test(ref)) return false;
  return ref !== '@' && !ref.startsWith('.');
}

/** The commit `ref` points at in `loc` now. */
export async function resolveRef(genv: GitEnvironment, loc: RepoLocation, ref: string, signal?: AbortSignal): Promise<string> {
  requireLocalRepo(loc);
  const r = await runGit(genv, ['ls-remote', '--', loc.url, ref, `${ref}^{}`], signal ? { signal } : {});
  if (r.code !== 0) throw unreachable(loc, r.stderr);
  const refs = new Map<string, string>();
  for (const line of r.stdout.toString().split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) refs.set(line.slice(tab + 1), line.slice(0, tab));
  }
  for (const c of candidates(ref)) {
    const sha = refs.get(`${c}^{}`) ?? refs.get(c);
    if (sha) return sha;
  }
  throw new NomiaError('git/rev-not-found', `${loc.url} has no branch or tag \`${ref}\``, {
    hint: `check \`ref=\`; \`git ls-remote ${loc.url}\` lists what it has${refs.size ? ` (refs ending in ${ref}: ${[...refs.keys()].filter((k) => !k.endsWith('^{}')).slice(0, 5).join(', ')})` : ''}`,
  });
}
