/**
 * `ninja:build?targets=[…](src: TREE, toolchain: TREE[, build: TREE])`: a
 * whole CMake project as one name (docs/namespaces/cmake.md). The build
 * tree defaults to `cmake:configure(src: …, toolchain: …)`; its
 * `build.ninja` is translated as `nomia ninja` translates a host's
 * (translate.ts), with the files taken from the trees (store-files.ts),
 * and the plan realized through the engine, so every compile is the same
 * `cc:compile-exact` as the front-end's and reused across both. The result
 * is a tree of the targets' files at their paths in the build directory,
 * with the files their symlinks point to.
 */
import { cpSync, lstatSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { addPath, type AtomRequest, NomiaError, objectResource, onlyParams, type RealizeContext, type Resource, usage, withWorkDir } from '../../namespace/index.js';
import { treeInput } from '../cmake/configure.js';
import { parseManifest } from './manifest.js';
import { SANDBOX_LAYOUT, storeFiles } from './store-files.js';
import { translate, type Plan } from './translate.js';

const EXAMPLE = 'ninja:build?targets=[json-c](src: deb:source?package=json-c, toolchain: deb:closure?packages=[cmake, gcc, libc6-dev, ninja-build])';

function targetList(req: AtomRequest): string[] {
  const p = req.params.find((x) => x.key === 'targets');
  if (!p) return [];
  if (p.value.kind !== 'List' || p.value.items.some((v) => v.kind !== 'String')) throw usage(req, 'takes a list of targets in `targets`', EXAMPLE);
  return p.value.items.map((v) => (v.kind === 'String' ? v.value : ''));
}

/** Where each file the plan makes is in the store, by its path relative to the build directory. */
function located(plan: Plan, roots: readonly Resource[]): Map<string, string> {
  const at = new Map<string, string>();
  plan.decls.forEach((d, i) => {
    if (d.kind === 'support') return;
    const root = roots[i];
    if (!root || root.kind !== 'object') throw new NomiaError('namespace/contract', `the plan's result ${i} is not a file or tree`);
    if (d.kind === 'file') at.set(d.path, root.path);
    else for (const p of d.paths) at.set(p, join(root.path, p));
  });
  return at;
}

/** Refuse a build tree CMake configured for other directories than `/src` and `/build` (a host's): its paths would name nothing here. */
function configuredFor(req: AtomRequest, tree: Extract<Resource, { kind: 'object' }>): void {
  let cache: string;
  try {
    cache = readFileSync(join(tree.path, 'CMakeCache.txt'), 'utf8');
  } catch {
    return;
  }
  const home = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(cache)?.[1];
  const own = /^CMAKE_CACHEFILE_DIR:INTERNAL=(.*)$/m.exec(cache)?.[1];
  if ((home !== undefined && home !== SANDBOX_LAYOUT.srcDir) || (own !== undefined && own !== SANDBOX_LAYOUT.buildDir)) {
    throw usage(req, `takes a build tree configured for ${SANDBOX_LAYOUT.srcDir} and ${SANDBOX_LAYOUT.buildDir}, but ${tree.name} was configured for ${home} and ${own}`, 'configure with cmake:configure(src: …, toolchain: …), or build a host\'s build directory with nomia ninja -C DIR');
  }
}

/** Realize a project's targets. */
export async function build(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['targets']);
  const targets = targetList(req);
  const src = treeInput(req, inputs, 'src', 'src: deb:source?package=json-c');
  const toolchain = treeInput(req, inputs, 'toolchain', 'toolchain: deb:closure?packages=[cmake, gcc, libc6-dev, ninja-build]');
  if (Object.keys(inputs).some((k) => !['src', 'toolchain', 'build'].includes(k))) throw usage(req, 'takes the inputs `src`, `toolchain` and `build` only', EXAMPLE);
  if (!ctx.resolve) throw new NomiaError('namespace/contract', 'ninja:build needs a realize context that can resolve names (its edges are realized through the engine)');
  const configured = inputs['build'] ?? (await ctx.resolve(`cmake:configure(src: (${src.name}), toolchain: (${toolchain.name}))`, { pure: true, signal: ctx.signal }))[0];
  if (!configured || configured.kind !== 'object' || configured.type !== 'dir') throw usage(req, 'needs a configured build directory tree as `build`', 'leave `build` out to configure with cmake:configure');
  const manifestFile = join(configured.path, 'build.ninja');
  let text: string;
  try {
    text = readFileSync(manifestFile, 'utf8');
  } catch {
    throw new NomiaError('ninja/no-manifest', `the build tree ${configured.name} has no build.ninja`, { hint: 'give a tree that cmake -G Ninja configured, or leave `build` out' });
  }
  configuredFor(req, configured);
  const manifest = parseManifest(text, 'build.ninja', (p) => readFileSync(join(configured.path, posix.relative('/build', posix.resolve('/build', p))), 'utf8'));
  const plan = translate(manifest, SANDBOX_LAYOUT, `(${toolchain.name})`, targets, storeFiles({ src, build: configured, toolchain }));
  if (plan.effects.length > 0) {
    throw usage(req, `cannot build ${plan.effects.map((e) => e.outputs[0]).join(', ')}: an edge that makes no file (a test or install step) is run on the host every time, not a name`, 'run it with nomia ninja -C BUILD TARGET in a build directory, or leave that target out');
  }
  ctx.log(`${plan.counts.compile} compiles, ${plan.counts.archive} archives, ${plan.counts.command} commands for ${targets.length ? targets.join(' ') : 'the default targets'}`);
  const at = located(plan, await ctx.resolve(plan.text, { pure: true, signal: ctx.signal }));
  return withWorkDir(ctx.store, async (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    const pending = [...plan.targets];
    const done = new Set<string>();
    for (let rel; (rel = pending.pop()) !== undefined;) {
      const from = at.get(rel);
      if (done.has(rel) || !from) continue;
      done.add(rel);
      mkdirSync(dirname(join(out, rel)), { recursive: true });
      cpSync(from, join(out, rel), { recursive: true, verbatimSymlinks: true });
      // A library's name links to its versioned file (libjson-c.so → libjson-c.so.5 → …): take what it points to.
      if (lstatSync(from).isSymbolicLink()) pending.push(posix.normalize(posix.join(posix.dirname(rel), readlinkSync(from))));
    }
    const { object } = await addPath(ctx.store, out, { name: 'ninja-build' });
    return { out: objectResource(ctx.store, object) };
  });
}
