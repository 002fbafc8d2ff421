/**
 * `cc:compile` and its refinement `cc:compile-exact` (docs/namespaces/cc.md).
 *
 * The loose name takes whole include trees; the exact name takes the
 * source and exactly the headers read, each by its own content, at the
 * paths where they were found. Realizing the loose name runs gcc once in
 * the sandbox with the whole trees at `/include/<n>` and emits a reduction
 * to the exact name. Usually that run is the compile itself (`-MD -c`),
 * and its object is recorded as the exact name's result too (one-run.ts
 * says when it may not be: then the exact name is compiled as a second
 * run). When the exact name is probably recorded already (only a header
 * the module does not read changed: hints.ts), the run is discovery only
 * (`-M`) and the exact name is realized through the engine, a lookup. So
 * a change to a header the module does not read reruns a preprocessor
 * pass, never a compile.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  addPath, type AtomRequest, NomiaError, objectResource, parseObjectPath, printValue, type RealizeContext, type Resource, stringParam, usage, withWorkDir,
} from '../../namespace/index.js';
import { depfilePrerequisites, treeHeaders, type TreeHeader } from './depfile.js';
import { compileArgs, headerList, includeTrees, onlyParams, systemCount, treeFlags } from './params.js';
import { keepHint, likelyRecorded } from './hints.js';
import { whyNotOneRun } from './one-run.js';
import { layoutHeaders, probedHeaders, type Probed } from './probes.js';
import { ReadOnce } from './read-once.js';
import { storeOutput, wholeObjectName } from './store-output.js';
import { runTool, toolchainOf, type Placed } from './toolchain-run.js';

export const GCC = '/usr/bin/gcc';

/** The file name an input had before it entered the store (`<hash>-zutil.c` → `zutil.c`). */
export function realName(r: Extract<Resource, { kind: 'object' }>): string {
  const base = basename(r.path);
  return parseObjectPath(base)?.name ?? base;
}

/** A file input, checked. */
export function fileInput(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, port: string): Extract<Resource, { kind: 'object' }> {
  const r = inputs[port];
  if (!r) throw usage(req, `needs the input \`${port}\``, 'e.g. cc:compile?args=[-O2](src: filesystem:import?path="./a.c", toolchain: …)');
  if (r.kind !== 'object' || (r.type !== 'file' && r.type !== 'exe' && r.type !== 'symlink')) throw usage(req, `takes a file as \`${port}\`, but ${r.name} is not one`);
  return r;
}

const list = (items: readonly string[]) => `[${items.map((s) => printValue({ kind: 'String', value: s })).join(', ')}]`;

/** The object file's name for a source: `adler32.c` → `adler32.o`. */
function objectName(source: string): string {
  return `${source.replace(/\.[^.]*$/, '')}.o`;
}

/** A file by its own content under `name` (a header or a source read out of a tree): its name. */
async function storeFile(ctx: RealizeContext, path: string, name: string): Promise<string> {
  return (await storeOutput(ctx, path, name)).name;
}

/** A compile of `cc:compile`: its flags, its source (host path and real name), its include trees (the last `system` of them `-isystem`). */
interface Compile {
  readonly args: readonly string[];
  readonly src: string;
  readonly source: string;
  readonly trees: readonly string[];
  readonly system: number;
}

/** What one sandboxed gcc run of a compile left: its dependency file's prerequisites, and the object if it compiled. */
interface GccRun {
  readonly deps: string[];
  readonly headers: TreeHeader[];
  readonly object?: Resource;
}

/**
 * Run gcc on the source with the whole include trees at `/include/<n>`: `-M` (discovery only) or, with `compile`,
 * the compile itself with `-MD`, its command the exact name's to the byte (`compileExact`).
 */
async function wholeTreeRun(req: AtomRequest, ctx: RealizeContext, c: Compile & { toolchain: string }, compile: boolean): Promise<GccRun> {
  return withWorkDir(ctx.store, async (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    const placed: Placed[] = [{ host: c.src, at: `/src/${c.source}` }, ...c.trees.map((t, i) => ({ host: t, at: `/include/${i}` }))];
    const name = objectName(c.source);
    const what = compile ? ['-MD', '-MF', '/out/deps.d', '-c', `/src/${c.source}`, '-o', `/out/${name}`] : ['-M', '-MF', '/out/deps.d', `/src/${c.source}`];
    await runTool(ctx, { toolchain: c.toolchain, program: GCC, placed, out, work, argv: ['gcc', ...c.args, ...treeFlags(c.trees.length, c.system), ...what] });
    // The rest (the object and headers stored, the hint) is no command: the next compile may start meanwhile.
    // A second run, when one is needed, is the exact name's own node, which takes a slot of its own.
    ctx.commandsDone?.();
    const deps = depfilePrerequisites(readFileSync(join(out, 'deps.d'), 'utf8'));
    const headers = checkedHeaders(req, deps, `/src/${c.source}`);
    if (!compile) return { deps, headers };
    return { deps, headers, object: await storeOutput(ctx, join(out, name), name) };
  });
}

/**
 * Realize `cc:compile`. When the module's exact name is probably recorded (hints.ts), discover the headers
 * (`-M`) and realize the exact name: a lookup. Otherwise compile with the whole trees, once; when nothing the
 * dependency file leaves out can have mattered (one-run.ts), that object is the exact name's result too, which
 * the engine records with the reduction; else the exact name is compiled as a second run.
 */
export async function compile(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args', 'system']);
  const args = compileArgs(req);
  const src = fileInput(req, inputs, 'src');
  const trees = includeTrees(req, inputs).map((t) => t.path);
  const system = systemCount(req, trees.length);
  const toolchain = toolchainOf(req, inputs, GCC);
  const source = realName(src);
  const module = { toolchain: inputs['toolchain']!.name, args, trees: trees.length, source, ...(system ? { system } : {}) };
  const c = { args, src: src.path, source, trees, system, toolchain };
  const run = await wholeTreeRun(req, ctx, c, !likelyRecorded(ctx.store, module, src.path, trees));
  // Read once: the probe scan and the one-run check look at these texts, the hint keeps their digests.
  const files = new ReadOnce();
  const texts = [{ text: files.bytes(src.path).toString('latin1') }, ...run.headers.map((h) => ({ text: files.bytes(join(trees[h.tree]!, h.path)).toString('latin1'), at: h }))];
  const probed = probedHeaders(trees, run.headers, texts, args);
  const layout = layoutHeaders(run.headers, probed);
  if (probed.present.length || probed.absent.length) ctx.log(`probes (__has_include) ${probeText(probed)}`);
  const exact = await exactName(ctx, { ...c, toolchain: inputs['toolchain']!.name }, layout, probed.absent);
  keepHint(ctx.store, module, toolchain, src.path, trees, layout, probed.absent, files);
  ctx.emitReduction(exact);
  if (run.object) {
    const why = whyNotOneRun({ args, trees, headers: layout, deps: run.deps, texts: texts.map((t) => t.text) });
    if (why === undefined) {
      // The engine records the exact name's spelling → this object, then this name → the exact name (step.ts).
      ctx.log(`compiled in one run with the whole include trees; ${headerCount(layout)}, recorded as the result of its exact name`);
      return { out: run.object };
    }
    ctx.log(`compiled with the whole include trees, but ${why}: compiling its exact name again`);
  } else {
    ctx.log(`reads ${headerCount(run.headers)} of its include trees (discovery only: its exact name is probably recorded)`);
  }
  if (!ctx.resolve) throw new NomiaError('namespace/contract', 'cc:compile needs a realize context that can resolve names (its refined name is realized through the engine)');
  const [object] = await ctx.resolve(exact, { pure: true, signal: ctx.signal });
  if (!object) throw new NomiaError('namespace/contract', `${exact} gave no output`);
  return { out: object };
}

const headerCount = (h: readonly TreeHeader[]) => `${h.length} header${h.length === 1 ? '' : 's'}`;

const probeText = (p: Probed) => [
  p.present.length ? `find ${p.present.map((h) => `${h.tree}/${h.path}`).join(', ')}, laid out` : '',
  p.absent.length ? `find nothing at ${p.absent.map((h) => `${h.tree}/${h.path}`).join(', ')}, listed as absent` : '',
].filter((x) => x).join('; ');

/**
 * The exact name: the source and each header read or probed, stored by its own content, at the paths where it
 * was found; and the probed paths that hold nothing (`absent`, only when there are some).
 */
async function exactName(ctx: RealizeContext, c: Compile & { toolchain: string }, headers: readonly TreeHeader[], absent: readonly TreeHeader[]): Promise<string> {
  const inputNames: string[] = [`src: (${wholeObjectName(ctx.store, c.src, c.source) ?? await storeFile(ctx, c.src, c.source)})`, `toolchain: (${c.toolchain})`];
  for (const [i, h] of headers.entries()) {
    inputNames.push(`h${i}: (${await storeFile(ctx, join(c.trees[h.tree]!, h.path), basename(h.path))})`);
  }
  const paths = (hs: readonly TreeHeader[]) => list(hs.map((h) => `${h.tree}/${h.path}`));
  return `cc:compile-exact?args=${list(c.args)}&includes=${c.trees.length}${c.system ? `&system=${c.system}` : ''}&headers=${paths(headers)}${absent.length ? `&absent=${paths(absent)}` : ''}(${inputNames.join(', ')})`;
}

function checkedHeaders(req: AtomRequest, deps: readonly string[], source: string): TreeHeader[] {
  const { headers, stray } = treeHeaders(deps, source);
  if (stray.length) {
    throw new NomiaError('cc/outside-trees', `${req.namespace.id}:${req.nameId} read ${stray.join(', ')}, which is neither the toolchain's nor inside an include tree`, {
      hint: 'include headers through the include trees only (no `..` out of a tree)',
    });
  }
  return headers;
}

/** Realize `cc:compile-exact`: the source and exactly its headers, laid out where discovery found them, compiled. */
export async function compileExact(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args', 'includes', 'system', 'headers', 'absent']);
  const args = compileArgs(req);
  const headers = headerList(req);
  // Absent paths are a closed world's: nothing but `headers` exists in the layout. Listed, they make the name
  // say what its result assumed (cc.md, "Probed headers"); one that is also a header is a contradiction.
  const absent = headerList(req, 'absent');
  const includes = Number(stringParam(req, 'includes') ?? '0');
  if (!Number.isInteger(includes) || includes < 0 || [...headers, ...absent].some((h) => h.tree >= includes)) throw usage(req, 'needs `includes=N`, the number of include trees, above every header\'s tree');
  const listed = new Set(headers.map((h) => `${h.tree}/${h.path}`));
  const both = absent.find((h) => listed.has(`${h.tree}/${h.path}`));
  if (both) throw usage(req, `lists ${both.tree}/${both.path} both in \`headers\` and in \`absent\``);
  const system = systemCount(req, includes);
  const src = fileInput(req, inputs, 'src');
  const toolchain = toolchainOf(req, inputs, GCC);
  const source = realName(src);
  const placed: Placed[] = [{ host: src.path, at: `/src/${source}` }];
  headers.forEach((h, i) => placed.push({ host: fileInput(req, inputs, `h${i}`).path, at: `/include/${h.tree}/${h.path}` }));
  if (Object.keys(inputs).some((k) => /^h\d+$/.test(k) && Number(k.slice(1)) >= headers.length)) throw usage(req, 'has more `h<i>` inputs than `headers`');
  const name = objectName(source);
  return withWorkDir(ctx.store, async (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    await runTool(ctx, {
      toolchain, program: GCC, placed, out, work,
      argv: ['gcc', ...args, ...treeFlags(includes, system), '-MD', '-MF', '/out/deps.d', '-c', `/src/${source}`, '-o', `/out/${name}`],
    });
    ctx.commandsDone?.();
    // Only the listed headers exist here, so the compile can read no other; that it read no fewer is not
    // required (a header discovery saw but the compile skipped changes nothing the object depends on).
    checkedHeaders(req, depfilePrerequisites(readFileSync(join(out, 'deps.d'), 'utf8')), `/src/${source}`);
    const { object } = await addPath(ctx.store, join(out, name), { name });
    return { out: objectResource(ctx.store, object) };
  });
}
