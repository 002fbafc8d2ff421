/**
 * The compilation database front-end (`nomia compile-commands`,
 * docs/namespaces/ninja.md): read a `compile_commands.json` (the format
 * CMake's `CMAKE_EXPORT_COMPILE_COMMANDS`, Meson and Bear write, and clang
 * tools read with `-p`), make each entry an edge, and build them as
 * `nomia ninja` builds a manifest's edges: the same recogniser and
 * translation (namespaces/ninja/translate.ts), so a compile is the same
 * `cc:compile` name as ninja's and is reused across both. The objects are
 * written where the compiler would write them.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NomiaError } from '../errors.js';
import { realizePlan } from './edge-failure.js';
import { shellEscape, type Edge } from '../namespaces/ninja/manifest.js';
import { splitCommand } from '../namespaces/ninja/shell-words.js';
import { translate, type Plan } from '../namespaces/ninja/translate.js';
import { layoutOf, type NinjaOptions, writeResults } from './ninja.js';
import { chooseToolchain } from './toolchain.js';
import type { Resource } from '../resource/types.js';

export interface CompileCommandsOptions extends Omit<NinjaOptions, 'dir' | 'targets'> {
  /** The build directory holding `compile_commands.json`, or the file itself (clang tools' `-p`). */
  readonly path: string;
  /** Only the entries for these source files (as clang tools take them); none: every entry. */
  readonly files: readonly string[];
}

export interface CompileCommandsResult {
  readonly plan: Plan;
  /** The directory the compiles ran in (every entry's `directory`). */
  readonly dir: string;
  readonly written: number;
  readonly unchanged: number;
  /** What the realized plan gave (every compile's object, the toolchain, the sources and header trees); the CLI roots them for the directory (cli/build-root.ts). */
  readonly results: readonly Resource[];
}

/** One entry of the database, as the format defines it. */
interface Entry {
  readonly directory: string;
  readonly file: string;
  readonly command?: string;
  readonly arguments?: readonly string[];
  readonly output?: string;
}

function invalid(file: string, what: string): NomiaError {
  return new NomiaError('compile-commands/invalid', `${file}: ${what}`, { hint: 'regenerate it, e.g. cmake -S SRC -B BUILD -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON' });
}

/** The database's entries, checked: each has `directory`, `file` and `command` or `arguments`. */
export function readEntries(file: string): Entry[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NomiaError('compile-commands/invalid', `no compilation database at ${file}`, { hint: 'point -p at the build directory, e.g. cmake … -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, then nomia compile-commands -p BUILD' });
    throw invalid(file, `not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw invalid(file, 'is not a list of entries');
  return data.map((e: unknown, i) => {
    const o = (e ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const args = Array.isArray(o['arguments']) && o['arguments'].every((a) => typeof a === 'string') ? (o['arguments'] as string[]) : undefined;
    const directory = text('directory');
    const source = text('file');
    const command = text('command');
    const output = text('output');
    if (!directory || !source || (command === undefined && !args?.length)) throw invalid(file, `entry ${i} needs \`directory\`, \`file\` and \`command\` or \`arguments\``);
    return { directory, file: source, ...(command !== undefined ? { command } : {}), ...(args ? { arguments: args } : {}), ...(output ? { output } : {}) };
  });
}

/**
 * An entry as a ninja edge: its command as a shell line, its source and
 * output as the command writes them (so the recogniser finds them), and
 * `deps = gcc`, which marks a compile.
 */
export function entryEdge(entry: Entry, file: string): Edge {
  const command = entry.command ?? entry.arguments!.map(shellEscape).join(' ');
  const words = splitCommand(command)?.flat() ?? [];
  const o = words.indexOf('-o');
  const output = o >= 0 ? words[o + 1] : entry.output;
  if (!output) throw invalid(file, `the entry for ${entry.file} names no output (no -o, no \`output\`)`);
  const source = words.find((w) => resolve(entry.directory, w) === resolve(entry.directory, entry.file)) ?? entry.file;
  return { rule: 'compile', outputs: [output], implicitOutputs: [], inputs: [source], implicitInputs: [], orderOnly: [], bindings: { command: o >= 0 ? command : `${command} -o ${shellEscape(output)}`, deps: 'gcc' } };
}

/** Compile the entries of the database at `options.path` (those for `options.files`, or all). */
export async function compileCommands(options: CompileCommandsOptions): Promise<CompileCommandsResult> {
  const at = resolve(options.path);
  const file = statSync(at, { throwIfNoEntry: false })?.isDirectory() === false ? at : join(at, 'compile_commands.json');
  let entries = readEntries(file);
  if (options.files.length) {
    const wanted = new Set(options.files.map((f) => resolve(options.context.cwd, f)));
    const found = new Set<string>();
    entries = entries.filter((e) => wanted.has(resolve(e.directory, e.file)) && found.add(resolve(e.directory, e.file)));
    const missing = [...wanted].filter((f) => !found.has(f));
    if (missing.length) throw new NomiaError('compile-commands/no-entry', `${file} has no entry for ${missing.join(', ')}`, { hint: 'list the files it has: jq -r ".[].file" compile_commands.json' });
  }
  const dirs = [...new Set(entries.map((e) => resolve(e.directory)))];
  if (dirs.length > 1) throw invalid(file, `its entries run in ${dirs.length} directories (${dirs.slice(0, 3).join(', ')}); nomia compile-commands builds one build directory's entries at a time`);
  const dir = dirs[0] ?? resolve(at);
  const edges = entries.map((e) => entryEdge(e, file));
  const manifest = { edges, defaults: [], pools: {} };
  const layout = layoutOf(dir);
  const { memoKeyOf, ...rest } = options;
  const toolchain = await chooseToolchain(manifest, layout, options.toolchain, rest, memoKeyOf);
  const plan = translate(manifest, layout, toolchain.name, edges.map((e) => e.outputs[0]!));
  const { roots } = await realizePlan(plan, dir, options);
  return { plan, dir, ...writeResults(options.store, dir, plan, roots), results: roots };
}
