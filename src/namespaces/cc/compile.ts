/**
 * `cc:compile` and its refinement `cc:compile-exact` (docs/namespaces/cc.md).
 *
 * The loose name takes whole include trees. Realizing it runs header
 * discovery (the preprocessor with `-M`, in the sandbox, the trees at
 * `/include/<n>`) and emits a reduction to the exact name, which takes the
 * source and exactly the headers read, each by its own content, at the
 * paths where they were found. The exact name is then realized through the
 * engine (`ctx.resolve`): a lookup when those headers were compiled with
 * before, one compile otherwise. So a change to a header the module does
 * not read reruns discovery only, and never a compile.
 */
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  addPath, type AtomRequest, byContentName, NomiaError, objectResource, parseObjectPath, printValue, type RealizeContext, type Resource, stringParam, usage, withWorkDir,
} from '../../namespace/index.js';
import { depfilePrerequisites, treeHeaders, type TreeHeader } from './depfile.js';
import { compileArgs, headerList, includeTrees, onlyParams } from './params.js';
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

/** Store a file by its own content under `name` (a header or a source read out of a tree). */
async function storeFile(ctx: RealizeContext, path: string, name: string): Promise<string> {
  const { object } = await addPath(ctx.store, realpathSync(path), { name });
  return byContentName(object);
}

/** Realize `cc:compile`: discover the headers, emit the exact name, realize it. */
export async function compile(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args']);
  const args = compileArgs(req);
  const src = fileInput(req, inputs, 'src');
  const trees = includeTrees(req, inputs);
  const toolchain = toolchainOf(req, inputs, GCC);
  const source = realName(src);
  const headers = await withWorkDir(ctx.store, async (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    const placed: Placed[] = [{ host: src.path, at: `/src/${source}` }, ...trees.map((t, i) => ({ host: t.path, at: `/include/${i}` }))];
    await runTool(ctx, {
      toolchain, program: GCC, placed, out, work,
      argv: ['gcc', ...args, ...trees.map((_, i) => `-I/include/${i}`), '-M', '-MF', '/out/deps.d', `/src/${source}`],
    });
    return readHeaders(req, readFileSync(join(out, 'deps.d'), 'utf8'), `/src/${source}`);
  });
  const inputNames: string[] = [`src: (${await storeFile(ctx, src.path, source)})`, `toolchain: (${inputs['toolchain']!.name})`];
  for (const [i, h] of headers.entries()) {
    inputNames.push(`h${i}: (${await storeFile(ctx, join(trees[h.tree]!.path, h.path), basename(h.path))})`);
  }
  const exact = `cc:compile-exact?args=${list(args)}&includes=${trees.length}&headers=${list(headers.map((h) => `${h.tree}/${h.path}`))}(${inputNames.join(', ')})`;
  ctx.log(`reads ${headers.length} header${headers.length === 1 ? '' : 's'} of its include trees`);
  ctx.emitReduction(exact);
  if (!ctx.resolve) throw new NomiaError('namespace/contract', 'cc:compile needs a realize context that can resolve names (its refined name is realized through the engine)');
  const [object] = await ctx.resolve(exact, { pure: true, signal: ctx.signal });
  if (!object) throw new NomiaError('namespace/contract', `${exact} gave no output`);
  return { out: object };
}

function readHeaders(req: AtomRequest, depfile: string, source: string): TreeHeader[] {
  const { headers, stray } = treeHeaders(depfilePrerequisites(depfile), source);
  if (stray.length) {
    throw new NomiaError('cc/outside-trees', `${req.namespace.id}:${req.nameId} read ${stray.join(', ')}, which is neither the toolchain's nor inside an include tree`, {
      hint: 'include headers through the include trees only (no `..` out of a tree)',
    });
  }
  return headers;
}

/** Realize `cc:compile-exact`: the source and exactly its headers, laid out where discovery found them, compiled. */
export async function compileExact(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args', 'includes', 'headers']);
  const args = compileArgs(req);
  const headers = headerList(req);
  const includes = Number(stringParam(req, 'includes') ?? '0');
  if (!Number.isInteger(includes) || includes < 0 || headers.some((h) => h.tree >= includes)) throw usage(req, 'needs `includes=N`, the number of include trees, above every header\'s tree');
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
      argv: ['gcc', ...args, ...Array.from({ length: includes }, (_, i) => `-I/include/${i}`), '-MD', '-MF', '/out/deps.d', '-c', `/src/${source}`, '-o', `/out/${name}`],
    });
    // Only the listed headers exist here, so the compile can read no other; that it read no fewer is not
    // required (a header discovery saw but the compile skipped changes nothing the object depends on).
    readHeaders(req, readFileSync(join(out, 'deps.d'), 'utf8'), `/src/${source}`);
    const { object } = await addPath(ctx.store, join(out, name), { name });
    return { out: objectResource(ctx.store, object) };
  });
}
