/**
 * Repository locations as the git namespace takes them in `repo=`: a URL
 * (`https://…`, `ssh://…`, `file:///…`), git's scp-like form (`user@host:path`)
 * or a local path. One function decides which, with git's own rule (a `:`
 * before any `/` makes it scp-like), so that every module agrees.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';

export interface RepoLocation {
  /** What git is given: the URL, or for a local path the absolute path. */
  readonly url: string;
  /** A local repository (a path or `file://`): fetched without a network, its submodules may be local too. */
  readonly local: boolean;
  /**
   * The same repository always gives the same key, however it was spelled
   * (`/r`, `/r/`, `file:///r`, a relative path from its directory): the cache
   * entry's name is a hash of it.
   */
  readonly key: string;
}

const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** True when `repo` is a local path rather than a URL or the scp-like form. */
export function isPlainPath(repo: string): boolean {
  if (URL_FORM.test(repo)) return false;
  const colon = repo.indexOf(':');
  const slash = repo.indexOf('/');
  return colon < 0 || (slash >= 0 && slash < colon);
}

function trimSlashes(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') || '/' : s;
}

/** Where `repo` is, with a relative path taken from `cwd`. */
export function locate(repo: string, cwd: string): RepoLocation {
  if (isPlainPath(repo)) {
    const abs = trimSlashes(isAbsolute(repo) ? resolve(repo) : resolve(cwd, repo));
    return { url: abs, local: true, key: `file://${abs}` };
  }
  const m = URL_FORM.exec(repo);
  if (m) {
    const scheme = m[1]!.toLowerCase();
    const rest = repo.slice(m[0].length);
    if (scheme === 'file') {
      const abs = trimSlashes(resolve('/', rest.startsWith('/') ? rest : `/${rest}`));
      return { url: repo, local: true, key: `file://${abs}` };
    }
    // Scheme and host are case-insensitive; the path is not.
    const slash = rest.indexOf('/');
    const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
    const path = slash < 0 ? '' : trimSlashes(rest.slice(slash));
    return { url: repo, local: false, key: `${scheme}://${host}${path === '/' ? '' : path}` };
  }
  return { url: repo, local: false, key: trimSlashes(repo) };
}

/** The cache entry's file name for a repository: hex SHA-256 of its key. */
export function cacheKey(loc: RepoLocation): string {
  return createHash('sha256').update(loc.key).digest('hex');
}

/** A URL's fixed part (scheme and host, or `user@host:`) and its path, which `../` climbs. */
function splitUrl(url: string): { prefix: string; path: string } {
  const m = URL_FORM.exec(url);
  if (m) {
    const i = url.indexOf('/', m[0].length);
    return i < 0 ? { prefix: url, path: '' } : { prefix: url.slice(0, i), path: url.slice(i) };
  }
  if (!isPlainPath(url)) {
    const i = url.indexOf(':');
    return { prefix: url.slice(0, i + 1), path: url.slice(i + 1) };
  }
  return { prefix: '', path: url };
}

/**
 * A submodule's URL from `.gitmodules`, resolved as git resolves it: `./x`
 * and `../x` are relative to the superproject's URL (each `../` drops one
 * component of it), anything else is used as written. Undefined for a
 * relative path without `./` or `../` (git would take it from the current
 * directory, which a pinned revision must not depend on) and for `../` that
 * climbs above the superproject's host or root.
 */
export function resolveSubmoduleUrl(superUrl: string, subUrl: string): string | undefined {
  if (!subUrl.startsWith('./') && !subUrl.startsWith('../')) {
    return isPlainPath(subUrl) && !isAbsolute(subUrl) ? undefined : subUrl;
  }
  const { prefix, path } = splitUrl(superUrl);
  const parts = path.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (path.startsWith('/') && parts.length === 0) parts.push('');
  let rel = subUrl;
  for (;;) {
    if (rel.startsWith('./')) {
      rel = rel.slice(2);
    } else if (rel.startsWith('../')) {
      rel = rel.slice(3);
      if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) return undefined;
      parts.pop();
    } else {
      break;
    }
  }
  for (const p of rel.split('/')) if (p) parts.push(p);
  const joined = parts.join('/');
  return prefix + (path.startsWith('/') && !joined.startsWith('/') ? `/${joined}` : joined);
}
