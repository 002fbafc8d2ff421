/** The names the git namespace writes: its parameters, checked, and the exact-fetch names it reduces to. */
import { type AtomRequest, checkObjectName, type GraphParam, printValue, stringParam, usage } from '../../namespace/index.js';
import { isValidRef } from './ref.js';

/** The object name of a fetched tree when `name=` is not given (Nix calls its fetched trees `source` too). */
export const DEFAULT_OBJECT_NAME = 'source';

export interface GitParams {
  readonly repo: string;
  /** exact-fetch: 4 to 40 hex digits, as written. */
  readonly rev?: string;
  /** latest: a branch, tag or other ref; default `HEAD`, the repository's default branch. */
  readonly ref?: string;
  readonly submodules: boolean;
  readonly name: string;
}

const HEX_REV = /^[0-9a-fA-F]{4,40}$/;

/** A full, canonical revision: 40 lowercase hex digits. */
export function isFullRev(rev: string): boolean {
  return /^[0-9a-f]{40}$/.test(rev);
}

/** The parameters of `req`, checked; any mistake is a `usage` error naming the parameter. */
export function gitParams(req: AtomRequest): GitParams {
  const repo = stringParam(req, 'repo');
  if (repo === undefined || repo === '') throw usage(req, 'needs the parameter `repo`', 'e.g. git:exact-fetch?repo=https://example.org/r.git&rev=<sha>, or repo="./path/to/repo"');
  if (repo.startsWith('-')) throw usage(req, `has a repo that looks like an option: ${JSON.stringify(repo)}`, 'write a relative path that starts with a dash as "./-…"');
  const sub = stringParam(req, 'submodules');
  if (sub !== undefined && sub !== 'true' && sub !== 'false') throw usage(req, `takes submodules=true or submodules=false, not ${JSON.stringify(sub)}`);
  const nameParam = stringParam(req, 'name');
  let name = DEFAULT_OBJECT_NAME;
  if (nameParam !== undefined) {
    try {
      name = checkObjectName(nameParam);
    } catch (e) {
      throw usage(req, `has an invalid name=: ${(e as Error).message}`, 'names use letters, digits and + - . _ ? =, and do not start with a dot');
    }
  }
  const common = { repo, submodules: sub === 'true', name };
  if (req.nameId === 'exact-fetch') {
    const rev = stringParam(req, 'rev');
    if (rev === undefined) throw usage(req, 'needs the parameter `rev`, the commit to fetch', 'e.g. rev=785d2c03a0d (4 to 40 hex digits); for the tip of a branch use git:latest?repo=…&ref=main');
    if (!HEX_REV.test(rev)) throw usage(req, `has rev=${JSON.stringify(rev)}, which is not a commit hash`, 'give 4 to 40 hex digits of the commit; for a branch or tag use git:latest?repo=…&ref=NAME');
    return { ...common, rev };
  }
  const ref = stringParam(req, 'ref') ?? 'HEAD';
  if (!isValidRef(ref)) throw usage(req, `has ref=${JSON.stringify(ref)}, which is not a valid git ref name`, 'e.g. ref=main, ref=v1.0, ref=refs/heads/release');
  return { ...common, ref };
}

/** A parameter's value as canonical text; the git namespace's parameters are plain strings (gitParams checks). */
function text(p: GraphParam): string {
  return printValue({ kind: 'String', value: p.value.kind === 'String' ? p.value.value : '' });
}

/**
 * `req` written again with `rev=` replaced, other parameters as they were,
 * in their order: what an abbreviated revision reduces to.
 */
export function withRev(req: AtomRequest, rev: string): string {
  const params = req.params.map((p) => `${p.key}=${p.key === 'rev' ? rev : text(p)}`);
  return `${req.namespace.id}:exact-fetch?${params.join('&')}`;
}

/** The exact-fetch name a `latest` request reduces to: its repo (a path made absolute), the commit, its other parameters. */
export function exactFetchName(req: AtomRequest, repo: string, rev: string): string {
  const params = [`repo=${printValue({ kind: 'String', value: repo })}`, `rev=${rev}`];
  for (const p of req.params) if (p.key === 'submodules' || p.key === 'name') params.push(`${p.key}=${text(p)}`);
  return `${req.namespace.id}:exact-fetch?${params.join('&')}`;
}
