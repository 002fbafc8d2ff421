/**
 * The `git` namespace: trees of git repositories.
 *
 * - `exact-fetch?repo=…&rev=…[&submodules=true][&name=…]`: the tree of a
 *   commit, without `.git`, as a store object; it reduces to
 *   `filesystem:by-content`. The revision is a hash, so the name pins the
 *   content and needs no other. An abbreviated revision is resolved to the
 *   full one, and that is recorded as a reduction of its own.
 * - `latest?repo=…[&ref=main][&submodules=true][&name=…]` (contextual): what
 *   the ref points at when it is realized; it reduces to the exact-fetch of
 *   that commit, and from there to by-content.
 *
 * Repositories are cached under the store (cache.ts) and fetched into
 * incrementally. Git runs without the user's configuration (run-git.ts).
 */
import { join } from 'node:path';
import {
  type AtomRequest, byContentName, commitObject, hashPath, ioError, leaf, type Namespace, onlyParams, type RealizeContext, realPath,
  type Resource, syncFileSystem, unknownName, withWorkDir,
} from '../../namespace/index.js';
import { cacheRoot, ensureFullRev, resolveAbbreviated, withCache, type CacheOptions } from './cache.js';
import { writeCommit } from './checkout.js';
import { exactFetchName, gitParams, withRev } from './names.js';
import { resolveRef } from './ref.js';
import { isPlainPath, locate, type RepoLocation } from './repo-url.js';
import { gitEnvironment } from './run-git.js';

const NAMES = ['exact-fetch?repo=…&rev=…[&submodules=true][&name=…]', 'latest?repo=…[&ref=…][&submodules=true][&name=…]'];
const PARAMS = { 'exact-fetch': ['repo', 'rev', 'submodules', 'name'], latest: ['repo', 'ref', 'submodules', 'name'] } as const;

function check(req: AtomRequest): ReturnType<typeof gitParams> {
  if (req.nameId !== 'exact-fetch' && req.nameId !== 'latest') throw unknownName(req, NAMES);
  onlyParams(req, PARAMS[req.nameId]);
  return gitParams(req);
}

function cacheOptions(ctx: RealizeContext): CacheOptions {
  return {
    store: ctx.store,
    // The empty HOME git runs with lives beside the caches: nothing ever writes into it.
    genv: gitEnvironment(ctx.context.env, join(cacheRoot(ctx.store), 'home')),
    log: (line) => ctx.log(line),
    signal: ctx.signal,
  };
}

/** The tree of `commit` (in `loc`'s cache), with its submodules if asked, as a store object. */
async function storeTree(loc: RepoLocation, commit: string, name: string, submodules: boolean, options: CacheOptions, ctx: RealizeContext): Promise<Resource> {
  // Like an import of a NAR: the tree is built in tmp/ already normalized, hashed by the store's own NAR
  // code, flushed, and registered as it is (see store/commit.ts for the crash story); no second copy.
  const object = await withWorkDir(ctx.store, async (work, tree) => {
    try {
      await writeCommit(loc, commit, tree, { ...options, submodules });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS') throw ioError(e, tree, 'write the fetched tree into the store');
      throw e;
    }
    const { hash, narSize } = await hashPath(tree);
    if (ctx.store.fsync) syncFileSystem(work);
    return commitObject(ctx.store, { tree, hash, narSize, name }).object;
  });
  return { kind: 'object', type: 'dir', name: byContentName(object), path: realPath(ctx.store, object) };
}

/** exact-fetch: make the commit present in the cache, then store its tree. */
async function exactFetch(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const p = check(req);
  const rev = p.rev!;
  const loc = locate(p.repo, ctx.context.cwd);
  const options = cacheOptions(ctx);
  const commit = await withCache(loc, options, (cache) => (rev.length === 40 ? ensureFullRev(cache, rev.toLowerCase()) : resolveAbbreviated(cache, rev.toLowerCase())));
  // An abbreviation (or a tag's hash) names this commit: recorded as its own step, so the next realize of
  // the abbreviated name is a lookup and `nomia reductions` shows the full hash.
  if (commit !== rev) ctx.emitReduction(withRev(req, commit));
  return storeTree(loc, commit, p.name, p.submodules, options, ctx);
}

/** latest: the commit the ref points at now, then the exact-fetch of it. */
async function latest(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const p = check(req);
  const loc = locate(p.repo, ctx.context.cwd);
  const options = cacheOptions(ctx);
  const commit = await resolveRef(options.genv, loc, p.ref!, ctx.signal);
  ctx.log(`${p.ref} is ${commit}`);
  // A relative path was taken from this run's directory; the exact name says which repository that was.
  const exact = exactFetchName(req, loc.local && isPlainPath(p.repo) ? loc.url : p.repo, commit);
  ctx.emitReduction(exact);
  if (ctx.resolve) {
    // Through the engine: a commit realized before is a lookup, and exact-fetch's own reduction is recorded.
    const [r] = await ctx.resolve(exact);
    if (r) return r;
  }
  const found = await withCache(loc, options, (cache) => ensureFullRev(cache, commit));
  return storeTree(loc, found, p.name, p.submodules, options, ctx);
}

export const gitNamespace: Namespace = {
  id: 'git',
  spelling: 'builtin:git@1',
  describe(req) {
    check(req);
    return leaf('dir', req.nameId === 'latest');
  },
  async reduce(req) {
    // Hex digits in upper case name the same commit: the canonical name is known without running anything.
    if (req.nameId !== 'exact-fetch') return undefined;
    const rev = check(req).rev!;
    return rev !== rev.toLowerCase() ? withRev(req, rev.toLowerCase()) : undefined;
  },
  async realize(req, _inputs, ctx) {
    switch (req.nameId) {
      case 'exact-fetch': return { out: await exactFetch(req, ctx) };
      case 'latest': return { out: await latest(req, ctx) };
      default: throw unknownName(req, NAMES);
    }
  },
};
