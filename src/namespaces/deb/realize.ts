/**
 * Realizing the deb namespace's names (index.ts describes them). Loaded on
 * the first realize only: a run whose deb names are all recorded (a warm
 * closure, its lock) never reads apt, unpacking or merging code, and a
 * contextual name whose index is unchanged is answered from the memo
 * before any of it loads (index-context.ts).
 */
import { type AtomRequest, NomiaError, type RealizeContext, type Resource, usage, withWorkDir } from '../../namespace/index.js';
import { aptState, type AptState, type DebRef, download, freshIndex, printUris, sourceUris } from './apt.js';
import { commitTree } from './commit-tree.js';
import { sha256File } from './deb-file.js';
import { unpackOnWorker } from './unpack-pool.js';
import { isKnown, recordKnown } from './known.js';
import { hostRefs } from './host.js';
import { checkNameId, closureParams, exactName, exactParams, hostFilesParams, hostParams, latestParams, objectName, rootName, sourceName, sourceParams, treeName } from './names.js';
import { readDsc, unpackSource } from './source.js';
import { awaitPrefetch, prefetchOnDemand } from './prefetch.js';
import { findStaged, unstage, unstageLater } from './staging.js';
import { declareIndexContext } from './index-context.js';
import { mergeRoot } from './root.js';
import { describeStats } from '../unpack/safe-tree.js';

/** The index's entry for one exact package file; its hash must be the one the name gives. */
async function lookUp(ctx: RealizeContext, state: AptState, p: DebRef): Promise<DebRef> {
  await freshIndex(ctx, state);
  const what = `${p.package}:${p.arch}=${p.version}`;
  const [ref] = await printUris(ctx, state, ['download', what], what);
  if (!ref) throw new NomiaError('deb/not-found', `the archive's index does not list ${what}`, { hint: 'the archive may have moved on from this version: realize deb:latest?package=… for the current one' });
  if (ref.sha256 !== p.sha256) {
    throw new NomiaError('deb/hash-mismatch', `the archive's index lists ${what} with sha256=${ref.sha256}, not the name's sha256=${p.sha256}; nothing was downloaded or stored`, {
      hint: 'the name is wrong, or the archive republished this version; realize deb:latest?package=… to learn the archive\'s',
    });
  }
  return ref;
}

/** One package's tree in the store: from a closure's staged download (staging.ts), else downloaded now. */
async function exactTree(ctx: RealizeContext, p: DebRef): Promise<Resource> {
  const state = aptState(ctx.store);
  const label = `deb:exact of ${p.package} ${p.version} (${p.arch})`;
  return withWorkDir(ctx.store, async (work, tree) => {
    await awaitPrefetch(p.sha256);
    const staged = findStaged(state.root, p.sha256);
    let file = staged;
    if (file === undefined) {
      const ref = await lookUp(ctx, state, p);
      file = (await download(ctx, [ref], work)).get(ref)!;
    }
    let unpacked;
    try {
      unpacked = await unpackOnWorker({ file, sha256: p.sha256, dest: tree, label }, ctx.signal);
    } catch (e) {
      // A damaged download must not be found again by the next realize.
      if (staged !== undefined) unstage(staged);
      throw e;
    }
    ctx.log(`unpacked ${describeStats(unpacked.stats)}`);
    const r = await commitTree(ctx, work, tree, treeName(p), { hashed: unpacked });
    if (r.kind === 'object') recordKnown(ctx.store, state.root, p.sha256, r.path);
    if (staged !== undefined) unstageLater(staged);
    return r;
  });
}

/** Realize `name` through the engine (recorded, reused); `direct` when the caller offers no engine. */
async function through(ctx: RealizeContext, name: string, direct: () => Promise<Resource>): Promise<Resource> {
  ctx.emitReduction(name);
  if (ctx.resolve) {
    const [r] = await ctx.resolve(name);
    if (r) return r;
  }
  return direct();
}

async function latest(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const p = latestParams(req);
  const state = aptState(ctx.store);
  declareIndexContext(ctx, state, await freshIndex(ctx, state));
  const what = p.arch === undefined ? p.package : `${p.package}:${p.arch}`;
  const [ref] = await printUris(ctx, state, ['download', what], what);
  if (!ref) throw new NomiaError('deb/not-found', `the archive's index has no package ${what}`, { hint: 'apt-cache search WORD finds package names' });
  ctx.log(`${ref.package} is ${ref.version} (${ref.arch})`);
  return through(ctx, exactName(req.namespace.id, ref), () => exactTree(ctx, ref));
}

async function closure(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const p = closureParams(req);
  const state = aptState(ctx.store);
  declareIndexContext(ctx, state, await freshIndex(ctx, state));
  const targets = p.packages.map((n) => (p.arch === undefined ? n : `${n}:${p.arch}`));
  // Debian policy: no package declares a dependency on an Essential one, every system has them (a shell, coreutils, sed…).
  const refs = await printUris(ctx, state, ['install', ...targets, ...(p.essential ? ['?essential'] : [])], targets.join(' '));
  if (refs.length === 0) throw new NomiaError('deb/not-found', `apt resolved ${targets.join(' ')} to no package files`, { hint: 'check the package names' });
  ctx.log(`the closure of ${targets.join(' ')} is ${refs.length} packages`);
  return lockedClosure(req, ctx, state, refs);
}

/** The host's packages at their installed versions (host.ts), merged into one root like a closure. */
async function host(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const state = aptState(ctx.store);
  const refs = await hostRefs(ctx, state, hostParams(req));
  ctx.log(`the host's closure is ${refs.length} packages`);
  return lockedClosure(req, ctx, state, refs);
}

/**
 * Reduce to the closure's exact form and realize it, its missing package files downloaded while the first
 * are unpacked: once the first exact name is realized, not before (a root recorded, or found in a binary
 * cache, needs none of them).
 */
async function lockedClosure(req: AtomRequest, ctx: RealizeContext, state: AptState, refs: readonly DebRef[]): Promise<Resource> {
  const downloads = prefetchOnDemand(ctx, state, refs, (r) => !isKnown(ctx.store, state.root, r.sha256) && findStaged(state.root, r.sha256) === undefined);
  try {
    return await mergedClosure(req, ctx, refs);
  } catch (e) {
    downloads.stop();
    throw e;
  } finally {
    // Nothing this node started outlives it: a batch under way ends (or is cancelled with the node's signal).
    await downloads.settled();
  }
}

/** The closure's exact form, realized (each package's file taken from the prefetch as it arrives). */
function mergedClosure(req: AtomRequest, ctx: RealizeContext, refs: readonly DebRef[]): Promise<Resource> {
  return through(ctx, rootName(req.namespace.id, refs), async () => {
    const trees: (readonly [string, string])[] = [];
    for (const ref of [...refs].sort((a, b) => exactName('', a).localeCompare(exactName('', b)))) {
      const r = await exactTree(ctx, ref);
      if (r.kind === 'object') trees.push([ref.package, r.path]);
    }
    return withWorkDir(ctx.store, async (work, tree) => {
      mergeRoot(trees, tree);
      return commitTree(ctx, work, tree, 'deb-root', { normalized: true });
    });
  });
}

/** root(trees…): the trees in port order. */
async function root(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Resource> {
  const ports = Object.keys(inputs).sort((a, b) => Number(a) - Number(b));
  if (ports.length === 0) throw usage(req, 'takes the package trees to merge', 'e.g. deb:root(deb:exact?…, deb:exact?…); deb:closure?packages=[…] writes it for you');
  const trees = ports.map((port): readonly [string, string] => {
    const r = inputs[port]!;
    if (!/^\d+$/.test(port) || r.kind !== 'object' || r.type !== 'dir') throw usage(req, `takes package trees as positional inputs, but \`${port}\` is ${r.kind === 'object' ? `a ${r.type}` : 'a value'}`);
    return [r.name, r.path];
  });
  return withWorkDir(ctx.store, async (work, tree) => {
    mergeRoot(trees, tree);
    return commitTree(ctx, work, tree, 'deb-root', { normalized: true });
  });
}

/** A source package: exact (with the .dsc's sha256) it is downloaded and unpacked; otherwise it reduces to the exact name. */
async function source(req: AtomRequest, ctx: RealizeContext): Promise<Resource> {
  const p = sourceParams(req);
  const state = aptState(ctx.store);
  const due = await freshIndex(ctx, state);
  // Only the name without the .dsc's hash is contextual; the exact one depends on nothing the memo could miss.
  if (p.sha256 === undefined) declareIndexContext(ctx, state, due);
  const what = p.version === undefined ? p.package : `${p.package}=${p.version}`;
  const lines = await sourceUris(ctx, state, what);
  const dscLine = lines.find((l) => l.file.endsWith('.dsc'));
  if (!dscLine) throw new NomiaError('deb/not-found', `the archive's index lists no .dsc for ${what}`, { hint: 'check the name: apt-cache showsrc NAME' });
  if (p.sha256 !== undefined && dscLine.sha256 !== p.sha256) {
    throw new NomiaError('deb/hash-mismatch', `the archive's index lists the .dsc of ${what} with sha256=${dscLine.sha256}, not the name's sha256=${p.sha256}; nothing was downloaded or stored`, {
      hint: 'the name is wrong, or the archive republished this version; realize deb:source?package=… to learn the archive\'s',
    });
  }
  const label = `deb:source of ${what}`;
  const fetchAndUnpack = () => withWorkDir(ctx.store, async (work, tree) => {
    const files = await download(ctx, lines, work);
    const { dsc } = readDsc(files, label);
    if ((await sha256File(files.get(dscLine)!)) !== dscLine.sha256) throw new NomiaError('deb/hash-mismatch', `${label}: the .dsc's SHA-256 is not ${dscLine.sha256}; nothing was stored`);
    await unpackSource(dsc, files, tree, work, label, ctx.signal);
    return { dsc, out: await commitTree(ctx, work, tree, objectName(dsc.source, dsc.version)) };
  });
  if (p.sha256 !== undefined) return (await fetchAndUnpack()).out;
  // The version (with its epoch) and the source's own name come from the .dsc: read it first, then the exact name does the rest.
  const dsc = await withWorkDir(ctx.store, async (work) => readDsc(await download(ctx, [dscLine], work), label).dsc);
  return through(ctx, sourceName(req.namespace.id, dsc.source, dsc.version, dscLine.sha256), async () => (await fetchAndUnpack()).out);
}

/** Realize one deb name (its parameters were checked by `describe`). */
export async function realizeDeb(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  switch (checkNameId(req)) {
    case 'exact': return { out: await exactTree(ctx, exactParams(req)) };
    case 'latest': return { out: await latest(req, ctx) };
    case 'closure': return { out: await closure(req, ctx) };
    case 'root': return { out: await root(req, inputs, ctx) };
    case 'source': return { out: await source(req, ctx) };
    case 'host': return { out: await host(req, ctx) };
    case 'host-files': return { out: await (await import('./host-files.js')).hostFiles(ctx, hostFilesParams(req)) };
  }
}
