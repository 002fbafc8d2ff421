/**
 * `cc:archive` (objects → a static library, with `ar`) and `cc:link`
 * (objects and libraries → an executable, with the gcc driver), in the
 * sandbox with the toolchain as `/`. Their positional inputs are laid out
 * at `/obj/<n>/<real name>` and passed in order; their results are stored
 * by content, so an input object that came out byte-identical makes these
 * a lookup (early cutoff).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type AtomRequest, checkObjectName, NomiaError, type RealizeContext, type Resource, usage, withWorkDir } from '../../namespace/index.js';
import { fileInput, realName } from './compile.js';
import { linkArgs, linkDriver, linkWords, memberNames, onlyParams, outputName } from './params.js';
import { libraryFor, libraryInterfaces, refinedLinkName, sharedPositions } from './shared-interfaces.js';
import { storeOutput } from './store-output.js';
import { runTool, toolchainOf, type Placed } from './toolchain-run.js';

const AR = '/usr/bin/ar';

/** The positional ports `0`, `1`, … in order. */
const ports = (inputs: Readonly<Record<string, Resource>>) => Object.keys(inputs).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));

/** The positional inputs `0`, `1`, … in order, each a file, at its fixed path. */
function positional(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, names?: readonly string[]): Placed[] {
  const other = Object.keys(inputs).filter((k) => !/^\d+$/.test(k) && k !== 'toolchain');
  if (other.length) throw usage(req, `takes its files as positional inputs and a \`toolchain\`, not \`${other[0]}\``);
  const numbered = ports(inputs);
  if (numbered.length === 0) throw usage(req, 'needs at least one object', `e.g. cc:${req.nameId}((cc:compile?…), toolchain: …)`);
  if (names && names.length !== numbered.length) throw usage(req, `names ${names.length} members in \`members\` for ${numbered.length} objects`);
  return numbered.map((p, i) => {
    const r = fileInput(req, inputs, p);
    return { host: r.path, at: `/obj/${p}/${names ? checkObjectName(names[i]!) : realName(r)}` };
  });
}

async function runAndStore(ctx: RealizeContext, toolchain: string, program: string, argv: (out: string) => string[], placed: Placed[], name: string): Promise<Readonly<Record<string, Resource>>> {
  return withWorkDir(ctx.store, async (work) => {
    const out = join(work, 'out');
    mkdirSync(out);
    await runTool(ctx, { toolchain, program, argv: argv(`/out/${name}`), placed, out, work });
    // Storing the result is no command: the next one may start meanwhile.
    ctx.commandsDone?.();
    return { out: await storeOutput(ctx, join(out, name), name) };
  });
}

/**
 * `cc:archive?name=libz.a[&members=[a.c.o, …]](o0, o1, …, toolchain: T)`: `ar qcsD`, members in input order (a
 * repeated base name is kept, as CMake's `foo.c.o` in two directories), named as the objects are, or as `members`
 * says (the ninja front-end keeps CMake's `foo.c.o`).
 */
export async function archive(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['name', 'members']);
  const members = req.params.some((p) => p.key === 'members') ? memberNames(req) : undefined;
  const placed = positional(req, inputs, members);
  const toolchain = toolchainOf(req, inputs, AR);
  return runAndStore(ctx, toolchain, AR, (out) => ['ar', 'qcsD', out, ...placed.map((p) => p.at)], placed, outputName(req, 'lib.a'));
}

/**
 * `cc:link?args=[-lm]&name=prog[&driver=g++](o0, libz.a, …, toolchain: T)`: the compiler driver links the inputs
 * in order, then `args`; or, when `args` name inputs as `{N}` (`"-Wl,--version-script,{2}"`), each input where it
 * is named (params.ts, `linkWords`), which is how the ninja front-end keeps a CMake link's word order. A link that
 * takes shared libraries reduces to its refined name with each library's interface in its place, which is realized
 * through the engine: a lookup when a link against libraries of the same interfaces is recorded
 * (shared-interfaces.ts).
 */
export async function link(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args', 'name', 'driver']);
  const placed = positional(req, inputs);
  const command = linkCommand(req, inputs, placed);
  const ifaces = ctx.resolve ? await libraryInterfaces(ctx, placed) : { shared: [], objects: [] };
  if (!ifaces.shared.length || !ctx.resolve) return command(ctx);
  const refined = refinedLinkName(req, inputs, ports(inputs), ifaces);
  ctx.log(`links against ${ifaces.shared.map((n) => placed[n]!.at.slice(placed[n]!.at.lastIndexOf('/') + 1)).join(', ')} by interface (cc:link-interface, shared=[${ifaces.shared.join(', ')}])`);
  ctx.emitReduction(refined);
  const [program] = await ctx.resolve(refined, { pure: true, signal: ctx.signal });
  if (!program) throw new NomiaError('namespace/contract', `${refined} gave no output`);
  return { out: program };
}

/**
 * `cc:link-interface?args=…&name=…&shared=[N, …](o0, libf.so.interface, …, toolchain: T)`: the link with the inputs
 * at `shared` given by their interfaces; it links against a library recorded with each (shared-interfaces.ts).
 */
export async function linkInterface(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>> {
  onlyParams(req, ['args', 'name', 'driver', 'shared']);
  const placed = positional(req, inputs);
  for (const n of sharedPositions(req, placed.length)) placed[n] = libraryFor(req, ctx.store, fileInput(req, inputs, String(n)), placed[n]!.at);
  return linkCommand(req, inputs, placed)(ctx);
}

/** The link itself, its flags checked: the driver with `args` and the inputs as `placed`. */
function linkCommand(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, placed: Placed[]): (ctx: RealizeContext) => Promise<Readonly<Record<string, Resource>>> {
  const driver = linkDriver(req);
  const words = linkWords(req, linkArgs(req), placed.map((p) => p.at));
  const toolchain = toolchainOf(req, inputs, driver);
  return (ctx) => runAndStore(ctx, toolchain, driver, (out) => [driver.slice('/usr/bin/'.length), '-o', out, ...words], placed, outputName(req, 'a.out'));
}
