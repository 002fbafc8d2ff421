/**
 * What a ninja edge's command is, read from its words: a C/C++ compile
 * that `cc:compile` can take over, an archive for `cc:archive`, a link for
 * `cc:link` (recognise-link.ts), or
 * anything else (run as written by `ninja:command`). Recognition is
 * conservative: a command with a flag that places files somewhere we do
 * not lay out, or any shell beyond `&&`, is "other", which is always
 * correct, only less shared.
 */
import { posix } from 'node:path';
import type { Edge } from './manifest.js';
import { COMPILER, CXX, link, type LinkFiles, NO_FILES } from './recognise-link.js';
import { splitCommand } from './shell-words.js';

export type Recognised =
  /**
   * `args`: the flags left for `cc:compile`; `includes`: `-I` directories in order, as written (relative to the
   * build directory or absolute); `system`: `-isystem` directories, in order.
   */
  | { readonly kind: 'compile'; readonly source: string; readonly args: readonly string[]; readonly includes: readonly string[]; readonly system: readonly string[] }
  | { readonly kind: 'archive'; readonly members: readonly string[] }
  /** A link (link.ts): `args` with `{N}` where `files[N]` goes; `driver` the compiler that links. */
  | { readonly kind: 'link'; readonly driver: 'gcc' | 'g++'; readonly args: readonly string[]; readonly files: readonly string[] }
  | { readonly kind: 'other' };

const C_SOURCE = /\.(c|cc|cpp|cxx|c\+\+|C)$/;
const CXX_SOURCE = /\.(cc|cpp|cxx|c\+\+|C)$/;
/** Flags that name files or directories `cc:compile` would not lay out (its own list, docs/namespaces/cc.md). */
const PLACING = /^(-o|-c|-S|-E|-M|-I|-iquote|-isystem|-idirafter|-include|-imacros|--sysroot|-B|-L|@)/;
/** Dependency-file flags ninja's `deps = gcc` needs and `cc:compile` replaces (it discovers headers itself). */
const DEPFILE_WITH_VALUE = new Set(['-MT', '-MF', '-MQ']);
/** Flags whose value is the next word (`-D NAME`, as CMake writes some definitions). */
const VALUE_NEXT = new Set(['-D', '-U', '-x']);
const DEPFILE_ALONE = new Set(['-MD', '-MMD', '-MP']);

/** `ar`, or gcc's wrapper that loads its LTO plugin. */
const AR = /^(gcc-)?ar(-\d+)?$/;
/** One operation, `q` or `r`, with modifiers that do not change the members: create, index, deterministic, thin. */
const AR_FLAGS = /^(?=[^qr]*[qr][^qr]*$)[qrcsDT]+$/;

/** A compile in `words`, or undefined. */
function compile(edge: Edge, words: readonly string[], roots: readonly string[]): Recognised | undefined {
  if (!COMPILER.test(posix.basename(words[0]!)) || edge.inputs.length !== 1 || edge.outputs.length !== 1) return undefined;
  const source = edge.inputs[0]!;
  // cc:compile runs gcc, which compiles by the source's extension: a C++ driver's `.c` file stays with ninja:command.
  if (!(CXX.test(posix.basename(words[0]!)) ? CXX_SOURCE : C_SOURCE).test(source)) return undefined;
  const args: string[] = [];
  const includes: string[] = [];
  const system: string[] = [];
  let sawC = false;
  let sawOut = false;
  let sawSource = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-c') sawC = true;
    else if (w === '-o') sawOut = words[++i] === edge.outputs[0];
    else if (DEPFILE_ALONE.has(w)) continue;
    else if (DEPFILE_WITH_VALUE.has(w)) i++;
    else if (/^-M[TFQ]./.test(w)) continue;
    else if (w === '-I') includes.push(words[++i] ?? '');
    else if (w.startsWith('-I')) includes.push(w.slice(2));
    else if (w === '-isystem') system.push(words[++i] ?? '');
    else if (w.startsWith('-isystem')) system.push(w.slice('-isystem'.length));
    else if (w === source && !sawSource) sawSource = true;
    else if (VALUE_NEXT.has(w) && i + 1 < words.length && !roots.some((r) => words[i + 1]!.includes(r))) args.push(w, words[++i]!);
    else if (PLACING.test(w) || !w.startsWith('-') || roots.some((r) => w.includes(r))) return undefined;
    else args.push(w);
  }
  if (!sawC || !sawOut || !sawSource || [...includes, ...system].some((d) => d === '')) return undefined;
  return { kind: 'compile', source, args, includes, system };
}

/**
 * `[cmake -E rm -f OUT &&] ar qc OUT objs… [&& ranlib OUT]`, with `:` steps (CMake's empty PRE_LINK/POST_BUILD) ignored;
 * also Meson's `rm -f OUT && gcc-ar csrDT OUT objs…`, whose thin archive (`T`) becomes a regular one (docs/namespaces/ninja.md).
 */
function archive(edge: Edge, commands: readonly (readonly string[])[]): Recognised | undefined {
  if (edge.outputs.length !== 1) return undefined;
  const out = edge.outputs[0]!;
  let members: readonly string[] | undefined;
  for (const c of commands) {
    const tool = posix.basename(c[0]!);
    if (c.length === 1 && c[0] === ':') continue;
    if (tool === 'cmake' && c.length === 5 && c[1] === '-E' && c[2] === 'rm' && c[3] === '-f' && c[4] === out) continue;
    if (tool === 'rm' && c.length === 3 && c[1] === '-f' && c[2] === out) continue;
    if (tool === 'ranlib' && c.length === 2 && c[1] === out) continue;
    if (AR.test(tool) && members === undefined && AR_FLAGS.test(c[1] ?? '') && c[2] === out) {
      members = c.slice(3);
      continue;
    }
    return undefined;
  }
  if (!members || members.length === 0 || members.join('\n') !== edge.inputs.join('\n')) return undefined;
  return { kind: 'archive', members };
}

/**
 * What `edge` does. `roots` are the absolute source and build directories:
 * a compile flag that mentions one (other than `-I`) is a path we would
 * have to map, so such a compile is left to `ninja:command`.
 */
export function recognise(edge: Edge, roots: readonly string[], files: LinkFiles = NO_FILES): Recognised {
  const command = edge.bindings['command'] ?? '';
  const commands = splitCommand(command);
  if (!commands) return { kind: 'other' };
  if (commands.length === 1 && isCompileEdge(edge)) {
    const c = compile(edge, commands[0]!, roots);
    if (c) return c;
  }
  return archive(edge, commands) ?? link(edge, commands, roots, files) ?? { kind: 'other' };
}

/** Whether ninja would read a dependency file for the edge: a compile, by what its rule says. */
export function isCompileEdge(edge: Edge): boolean {
  return edge.bindings['deps'] === 'gcc' || edge.bindings['depfile'] !== undefined;
}
