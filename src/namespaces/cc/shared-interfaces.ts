/**
 * Linking against a shared library's interface, as a reduction
 * (docs/namespaces/cc.md, "Linking against a library's interface").
 *
 * A `cc:link` that takes shared libraries reduces to a refined name,
 * `cc:link-interface`, with the same parameters plus `shared=[N, …]` and
 * each of those inputs replaced by the library's interface (elf-interface.ts),
 * stored by its own content as `<library name>.interface`. Two links whose
 * libraries differ only where no dependent can see (a function's body, a
 * new local function) have one refined name, so the second is a lookup.
 *
 * An interface alone cannot be linked against, so realizing the refined
 * name links against a library that has that interface: the one the
 * `cc:link` was given (recorded here just before), or, for a refined name
 * realized by itself (`--check`), any library recorded with it that is
 * still in the store and still has it. Which one cannot matter: equal
 * interfaces give equal programs, which is the rule the refinement rests
 * on. The index lives in the store's `cache/cc/interfaces/` (a line per
 * library; removing it is safe: a refined name then realizes only through
 * a `cc:link` that names the library).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AtomRequest, cacheDir, entryOf, NomiaError, printValue, type RealizeContext, type Resource, type Store, usage, type Value, withWorkDir,
} from '../../namespace/index.js';
import { sharedInterface } from './elf-interface.js';
import { storeOutput } from './store-output.js';
import type { Placed } from './toolchain-run.js';

/** The suffix of an interface object's name: `libf.so.1.interface` is the interface of `libf.so.1`. */
const SUFFIX = '.interface';

/** How many libraries an interface's index entry keeps. */
const KEPT = 4;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Where the libraries of every interface are listed. */
export const interfacesRoot = (store: Store) => join(cacheDir(store, 'cc'), 'interfaces');

const indexPath = (store: Store, text: string) => join(interfacesRoot(store), sha256(text));

/** The store entries of the libraries recorded with the interface whose index is at `path`. */
export function readLibraries(path: string): string[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(entries) ? entries.filter((e): e is string => typeof e === 'string' && !e.includes('/')) : [];
  } catch {
    return [];
  }
}

/** Record that the library at `path` (a store object) has the interface `text`, first in its list. */
export function remember(store: Store, text: string, path: string): void {
  const entry = entryOf(store, path);
  if (entry === undefined) return;
  const index = indexPath(store, text);
  const known = readLibraries(index);
  if (known[0] === entry) return; // every program linked against one library asks again
  const entries = [entry, ...known.filter((e) => e !== entry)].slice(0, KEPT);
  try {
    mkdirSync(interfacesRoot(store), { recursive: true });
    const temp = `${index}.${randomBytes(6).toString('hex')}`;
    writeFileSync(temp, JSON.stringify(entries));
    renameSync(temp, index);
  } catch {
    // Unrecorded, the refined name realizes only through a `cc:link` that names the library.
  }
}

/** The inputs of a link replaced by their interfaces: the input's position and the interface object. */
export interface Interfaces {
  readonly shared: readonly number[];
  readonly objects: readonly Resource[];
}

/**
 * The interfaces of the shared libraries among `placed` (the link's inputs in order), each stored by content and
 * recorded with its library; none when no input is a shared library this can read (elf-interface.ts).
 */
export async function libraryInterfaces(ctx: RealizeContext, placed: readonly Placed[]): Promise<Interfaces> {
  const found = placed.flatMap((p, i) => {
    const text = mayBeShared(p.host) ? sharedInterface(readFileSync(p.host)) : undefined;
    return text === undefined ? [] : [{ i, p, text }];
  });
  if (!found.length) return { shared: [], objects: [] };
  const objects = await withWorkDir(ctx.store, async (work) => {
    const stored: Resource[] = [];
    for (const { i, p, text } of found) {
      const file = join(work, `${i}${SUFFIX}`);
      writeFileSync(file, text);
      stored.push(await storeOutput(ctx, file, `${p.at.slice(p.at.lastIndexOf('/') + 1)}${SUFFIX}`));
      remember(ctx.store, text, p.host);
    }
    return stored;
  });
  return { shared: found.map((f) => f.i), objects };
}

/** Whether the file at `path` starts as an ELF64 little-endian shared object (read whole only then: archives are large). */
function mayBeShared(path: string): boolean {
  const head = Buffer.alloc(18);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false; // a symlink input whose target is not beside it: laid out as it is, linked by content
  }
  try {
    return readSync(fd, head, 0, 18, 0) === 18 && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1 && head.readUInt16LE(16) === 3;
  } finally {
    closeSync(fd);
  }
}

/** A parameter's value as written (a link's are strings and lists of strings). */
function printed(v: Value): string {
  if (v.kind === 'List') return `[${v.items.map(printed).join(', ')}]`;
  if (v.kind === 'String') return printValue(v);
  throw new NomiaError('namespace/contract', 'cc:link takes no input references in its parameters');
}

/**
 * `cc:link-interface?<the link's params>&shared=[N, …](…)`: the link's inputs by content (its positional inputs,
 * the shared libraries' interfaces in their places) and its toolchain.
 */
export function refinedLinkName(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ports: readonly string[], ifaces: Interfaces): string {
  const params = [...req.params.map((p) => `${p.key}=${printed(p.value)}`), `shared=[${ifaces.shared.join(', ')}]`];
  const named = ports.map((p, i) => {
    const k = ifaces.shared.indexOf(i);
    return `(${k >= 0 ? ifaces.objects[k]!.name : inputs[p]!.name})`;
  });
  return `cc:link-interface?${params.join('&')}(${[...named, `toolchain: (${inputs['toolchain']!.name})`].join(', ')})`;
}

/** `shared=[N, …]` of a refined link: the positions whose inputs are interfaces, ascending, each below `count`. */
export function sharedPositions(req: AtomRequest, count: number): number[] {
  const p = req.params.find((x) => x.key === 'shared');
  const items = p?.value.kind === 'List' ? p.value.items : undefined;
  const shared = items?.map((v) => (v.kind === 'String' && /^\d+$/.test(v.value) ? Number(v.value) : -1)) ?? [];
  if (!items || !shared.length || shared.some((n, i) => n < 0 || n >= count || (i > 0 && n <= shared[i - 1]!))) {
    throw usage(req, 'takes `shared=[N, …]`, the ascending positions of its inputs that are libraries\' interfaces', 'e.g. cc:link-interface?name=prog&shared=[1](o0, libf.so.interface, toolchain: …)');
  }
  return shared;
}

/**
 * The library to lay out for the interface input `iface` at `at` (its place in the sandbox, named as its library):
 * a library recorded with that interface, still in the store, whose interface is still that one.
 */
export function libraryFor(req: AtomRequest, store: Store, iface: Extract<Resource, { kind: 'object' }>, at: string): Placed {
  if (!at.endsWith(SUFFIX)) throw usage(req, `takes interfaces named \`<library>${SUFFIX}\` at its \`shared\` positions, not ${at.slice(at.lastIndexOf('/') + 1)}`);
  const text = readFileSync(iface.path, 'utf8');
  for (const entry of readLibraries(indexPath(store, text))) {
    const host = join(store.layout.storeDir, entry);
    if (existsSync(host) && sharedInterface(readFileSync(host)) === text) return { host, at: at.slice(0, -SUFFIX.length) };
  }
  throw new NomiaError('cc/no-library-for-interface', `${req.namespace.id}:${req.nameId} takes the interface ${iface.name}, but no library with that interface is in the store to link against`, {
    hint: 'realize the `cc:link` that names the library (nomia reductions shows which one reduced here)',
  });
}
