/**
 * `deb:host?paths=[…]&packages=[…]`: the host's own tools made exact
 * (docs/namespaces/deb.md, "The host's packages"). The packages that own
 * `paths` (`dpkg -S`, after following symlinks and alternatives) and the
 * `packages` named, at the versions installed here, with everything they
 * depend on at the installed versions (dpkg's status file), become the
 * package files of the archive's index with those exact versions: the same
 * compiler the user has, content-addressed and usable as a sandbox root.
 *
 * Its context is the host's package database and the paths: it declares
 * them (`ctx.dependsOn`), so an unchanged host is answered from the memo,
 * and keeps its answer (answers.ts) under their stat, so that a realize
 * without the memo (a build through `nomia ninja`) runs neither dpkg nor apt.
 * The archive's index is deliberately not declared: an earlier exact closure
 * stays valid (docs/namespaces/deb.md, "deb:host"), and declaring it would
 * resolve every toolchain again after each refresh.
 */
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NomiaError, type RealizeContext, statTree } from '../../namespace/index.js';
import { answerKey, keepAnswer, keptAnswer } from './answers.js';
import { type AptState, askUris, type DebRef, freshIndex, runApt } from './apt.js';
import { dpkgStatusPath, hostClosure, type Installed, InstalledSet, keyOf, readStatus } from './dpkg-status.js';
import type { HostParams } from './names.js';

const HINT = 'without a package database, nomia ninja copies the host\'s tools (deb:host-files?paths=[…]); or name another toolchain: nomia ninja --toolchain NAME (or "toolchain" in nomia.json, NOMIA_TOOLCHAIN for gcc:), e.g. deb:closure?packages=[gcc, libc6-dev]';

/** Every path `path` passes through to its file: itself, each symlink's target, the real path; with the merged-/usr twin of each (dpkg may know `/bin/x` for `/usr/bin/x`). */
export function linkChain(path: string): string[] {
  const out = [path];
  let p = path;
  for (let hops = 0; hops < 40 && lstatSync(p).isSymbolicLink(); hops++) {
    p = resolve(dirname(p), readlinkSync(p));
    out.push(p);
  }
  out.push(realpathSync(path));
  const twins = out.map((x) => (/^\/usr\/(s?bin|lib[^/]*)\//.test(x) ? x.slice(4) : /^\/(s?bin|lib[^/]*)\//.test(x) ? `/usr${x}` : x));
  return [...new Set([...out, ...twins])];
}

function notInstalled(message: string): NomiaError {
  return new NomiaError('deb/not-installed', message, { hint: HINT });
}

/** `dpkg-query -S` of `paths`: the owning packages (`name` or `name:arch`) of each path dpkg knows. */
function owners(ctx: RealizeContext, paths: readonly string[]): Promise<Map<string, string[]>> {
  return new Promise((done, fail) => {
    const child = spawn('dpkg-query', ['-S', ...paths], { stdio: ['ignore', 'pipe', 'ignore'], env: { LC_ALL: 'C', PATH: ctx.context.env['PATH'] ?? '/usr/bin:/bin', ...(ctx.context.env['DPKG_ADMINDIR'] ? { DPKG_ADMINDIR: ctx.context.env['DPKG_ADMINDIR'] } : {}) }, signal: ctx.signal });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', (e) => fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? notInstalled('dpkg-query is not installed: this host has no Debian package database to make its tools exact from') : e));
    // Exit status 1 only says that some path has no owner: each path is checked below.
    child.on('close', () => {
      const found = new Map<string, string[]>();
      for (const line of Buffer.concat(out).toString().split('\n')) {
        const at = line.lastIndexOf(': /');
        if (at < 0 || line.startsWith('diversion by ')) continue;
        found.set(line.slice(at + 2), line.slice(0, at).split(', '));
      }
      done(found);
    });
  });
}

/** Each path's chain (linkChain); a path that does not exist is `deb/not-installed`. */
function chainsOf(p: HostParams): string[][] {
  return p.paths.map((path) => {
    try {
      return linkChain(path);
    } catch {
      throw notInstalled(`${path} does not exist on this host`);
    }
  });
}

/** Each used path's chain (linkChain); one that does not exist has none (its stat is still declared: creating it changes the answer). */
function usedChainsOf(p: HostParams): string[][] {
  return p.uses.map((path) => {
    try {
      return linkChain(path);
    } catch {
      return [path];
    }
  });
}

/**
 * Declare the context (stat before read): the dpkg database and every link
 * and file of each path's chain. Returns their stat lines, for the key of a
 * kept answer.
 */
function declareContext(ctx: RealizeContext, chains: readonly (readonly string[])[]): string[] {
  const lines: string[] = [];
  for (const path of new Set([dpkgStatusPath(ctx.context.env), ...chains.flat()])) {
    const state = statTree(ctx.store, path);
    if (state) ctx.dependsOn?.(state);
    const st = state?.root;
    lines.push(st ? `${path} ${st.dev} ${st.ino} ${st.mode} ${st.size} ${st.mtimeNs} ${st.ctimeNs}` : `${path} absent`);
  }
  return lines;
}

/** The host's installed packages. */
function installed(ctx: RealizeContext): InstalledSet {
  const status = dpkgStatusPath(ctx.context.env);
  let text: string;
  try {
    text = readFileSync(status, 'utf8');
  } catch {
    throw notInstalled(`this host has no Debian package database (${status}), so its tools cannot be made exact`);
  }
  return new InstalledSet(readStatus(text));
}

/**
 * The installed packages `p` starts from: `asked`, the owners of its paths and the packages it names;
 * `used`, the owners of its used paths that are not asked for.
 */
async function roots(ctx: RealizeContext, set: InstalledSet, native: string, p: HostParams, chains: readonly (readonly string[])[], used: readonly (readonly string[])[]): Promise<{ asked: Installed[]; used: Installed[] }> {
  const owned = await owners(ctx, [...new Set([...chains.flat(), ...used.flat()])]);
  const names: string[] = [...p.packages];
  const usedNames: string[] = [];
  p.paths.forEach((path, i) => {
    const found = chains[i]!.flatMap((x) => owned.get(x) ?? []);
    if (found.length === 0) throw notInstalled(`${path} belongs to no installed Debian package (dpkg -S knows none of ${chains[i]!.join(', ')})`);
    names.push(...found);
  });
  p.uses.forEach((path, i) => {
    const found = used[i]!.flatMap((x) => owned.get(x) ?? []);
    // Not this toolchain's to refuse: a build that reads it says which directory it lacks (front-end/toolchain-path.ts).
    if (found.length === 0) ctx.log(`${path} belongs to no installed Debian package: it adds none`);
    usedNames.push(...found);
  });
  const find = (n: string) => {
    const pkg = set.find(n, native);
    if (!pkg) throw notInstalled(`the package ${n} is not installed on this host`);
    return pkg;
  };
  const asked = [...new Set(names)].map(find);
  return { asked, used: [...new Set(usedNames)].filter((n) => !names.includes(n)).map(find) };
}

/** Package names apt refused to list at a version (its error lines), or undefined when a line says something else. */
function refusedNames(lines: readonly string[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const l of lines) {
    const m = /version '[^']+' of '([^':]+)/.exec(l) ?? /^Version '[^']+' for '([^':]+)/.exec(l) ?? /^Unable to locate package ([^\s:]+)/.exec(l);
    if (!m) return undefined;
    names.add(m[1]!);
  }
  return names;
}

function mtime(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

/**
 * The package files of the host's closure for `p`, at the installed
 * versions. The archive keeps only the newest version of a package in each
 * suite, so a host that has not taken the last (security) update of a
 * library has a version the index no longer lists. A package asked for (a
 * path's owner, a named package: the compiler itself) must be listed at its
 * installed version, else `deb/not-found`; what those packages need is
 * taken at the index's version then, and the log says so, unless `strict`.
 */
export async function hostRefs(ctx: RealizeContext, state: AptState, p: HostParams): Promise<DebRef[]> {
  const chains = chainsOf(p);
  const used = usedChainsOf(p);
  // An unchanged host (database, paths) with an unchanged index and apt configuration gives the same files: kept like apt's answers.
  // Without used paths the question is as it was before they existed, so answers kept then still count.
  const { uses, ...asked } = p;
  const question = ['deb:host', JSON.stringify(uses.length ? p : asked), ...declareContext(ctx, [...chains, ...used])];
  const key = answerKey(ctx, state.lists, question);
  const kept = key === undefined ? undefined : keptAnswer(state.root, key);
  if (kept !== undefined) {
    ctx.log('the host\'s packages and the index are as before: their files as before (kept answer)');
    return JSON.parse(kept) as DebRef[];
  }
  const refs = await resolveHost(ctx, state, p, chains, used);
  // Filed under the index it was resolved from: resolving may have fetched the index first (a new store).
  const after = key === undefined ? undefined : answerKey(ctx, state.lists, question);
  if (after !== undefined) keepAnswer(state.root, after, JSON.stringify(refs));
  return refs;
}

async function resolveHost(ctx: RealizeContext, state: AptState, p: HostParams, chains: readonly (readonly string[])[], used: readonly (readonly string[])[]): Promise<DebRef[]> {
  const set = installed(ctx);
  const native = set.find('dpkg', '')?.arch ?? 'amd64';
  const start = await roots(ctx, set, native, p, chains, used);
  const closure = hostClosure(set, [...start.asked, ...start.used], p.essential);
  // The packages asked for (the compiler) must be the installed versions; a library's -dev package a build
  // uses is taken as what those need: at the index's version when the host is behind it (a point release).
  const asked = new Set(start.asked.map(keyOf));
  for (const u of closure.unsatisfied) ctx.log(`not satisfied on this host (left out): ${u}`);
  const archOf = (x: Installed) => (x.arch === 'all' ? native : x.arch);
  const stamp = `${state.root}/updated`;
  if (mtime(stamp) === 0) await freshIndex(ctx, state);
  const ask = async () => {
    const what = 'the host\'s packages';
    const r = await askUris(ctx, state, ['download', ...closure.packages.map((x) => `${x.package}:${archOf(x)}=${x.version}`)], what);
    const refused = refusedNames(r.refused);
    if (refused === undefined) throw new NomiaError('deb/not-found', `apt cannot list ${what}:\n  ${r.refused.join('\n  ')}`, { hint: HINT });
    return { refs: r.refs, refused };
  };
  let answer = await ask();
  if (answer.refused.size > 0) {
    // The index may be older than what was installed: refresh it if it is due, and ask again.
    const before = mtime(stamp);
    await freshIndex(ctx, state);
    if (mtime(stamp) !== before) answer = await ask();
  }
  const missing = closure.packages.filter((x) => answer.refused.has(x.package));
  const needed = p.strict ? missing : missing.filter((x) => asked.has(keyOf(x)));
  if (needed.length) throw await notListed(ctx, state, needed, [...closure.roots].map((k) => k.split(':')[0]!));
  if (missing.length === 0) return answer.refs;
  ctx.log(`the archive no longer lists the installed ${missing.map((x) => `${x.package} ${x.version}`).join(', ')} (needed by what was asked for, or owning a path the build uses, not asked for): using the index's version${missing.length === 1 ? '' : 's'}`);
  const current = await askUris(ctx, state, ['download', ...missing.map((x) => `${x.package}:${archOf(x)}`)], 'the newer versions');
  if (current.refused.length) throw new NomiaError('deb/not-found', `apt cannot list ${missing.map((x) => x.package).join(', ')}:\n  ${current.refused.join('\n  ')}`, { hint: HINT });
  return [...answer.refs, ...current.refs];
}

/** The versions of `pkg` for `arch` that the store's index lists (`apt-cache madison`), as it orders them; none when apt cannot say. */
async function indexVersions(ctx: RealizeContext, state: AptState, pkg: string, arch: string): Promise<string[]> {
  const r = await runApt(ctx, 'apt-cache', [...state.options, 'madison', pkg]);
  if (r.code !== 0) return [];
  const lines = r.stdout.split('\n').map((l) => l.split('|').map((f) => f.trim())).filter((f) => f.length === 3 && f[0] === pkg && new RegExp(` (${arch}|all) Packages$`).test(f[2]!));
  return [...new Set(lines.map((f) => f[1]!))];
}

/**
 * `deb/not-found` for packages asked for whose installed version the index does not list (a host behind
 * the archive's last update, or a package from elsewhere): each with its installed version and the
 * versions the index has, and the ways on: upgrade the host, or build with a toolchain of the index's
 * versions (`deb:closure` of the packages asked for, `roots`).
 */
async function notListed(ctx: RealizeContext, state: AptState, needed: readonly Installed[], roots: readonly string[]): Promise<NomiaError> {
  const described = await Promise.all(needed.map(async (x) => {
    const versions = await indexVersions(ctx, state, x.package, x.arch);
    return `${x.package} ${x.version} (${x.arch}), the version installed here (it lists ${versions.length ? versions.join(', ') : 'none of it'})`;
  }));
  const names = needed.map((x) => x.package).join(' ');
  const closure = `deb:closure?packages=[${[...new Set(roots)].sort().join(', ')}]`;
  return new NomiaError('deb/not-found', `the archive's index does not list ${described.join('; ')}: the host has not taken the archive's last update of it, or it was installed from elsewhere, and only the exact installed version may go into deb:host`, {
    hint: `upgrade the host to a version the index lists, then build again: apt-get update && apt-get install --only-upgrade ${names}; or build with the index's versions instead of the host's: nomia ninja --toolchain '${closure}' (or "toolchain" in nomia.json)`,
  });
}
