/**
 * Header discovery for a compile run as a command (docs/namespaces/ninja.md,
 * "Compiles run as commands"), as `cc:compile` has it (docs/namespaces/cc.md).
 *
 * Such a compile (its source includes a file no include tree of headers can
 * hold: cJSON's `#include "../cJSON.c"`) takes the whole source tree, so any
 * edit there changes its name. It runs with `depfile=PATH`: the dependency
 * file its command writes (`-MD`) lists what it read, and it reduces to its
 * exact name, the same command with exactly the project files it read as
 * inputs, each by content at its sandbox path. The next realize of the loose
 * name (a file changed somewhere in the tree) first guesses from a hint
 * whether the exact name is recorded (the files it read last time are the
 * same now); if so it runs only the preprocessor (`-E`, in the same whole
 * tree, so a new file that shadows one on the include path is found) and
 * realizes the exact name through the engine: a lookup, no compile. Else it
 * compiles, once: the object is the exact name's result too, unless the
 * compile may have looked at a file the dependency file does not list (then
 * the exact name is compiled again, in its own layout).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { NomiaError, type RealizeContext, type Resource, withWorkDir } from '../../namespace/index.js';
import { depfilePrerequisites } from '../cc/depfile.js';
import { UNLISTED_READ } from '../cc/one-run.js';
import { storeOutput } from '../cc/store-output.js';
import { runEdge, storeOutputs, type EdgeRun } from './command.js';
import { keepReads, likelyRecorded, type Read } from './compile-hints.js';
import { list, str } from './print.js';
import { COMPILER } from './recognise-link.js';
import { splitCommand } from './shell-words.js';


/**
 * The host file at a sandbox path of the edge's layout, as the sandbox shows it (runEdge's binds): a file bound
 * there, else under the build directory the tree copied into it, else under `/src` the source tree.
 */
function hostView(edge: EdgeRun): (path: string) => string | undefined {
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const under = (p: string, d: string) => (p.startsWith(`${d}/`) ? p.slice(d.length + 1) : undefined);
  return (path) => {
    const bound = edge.placed.find((b) => b.sandbox === path);
    if (bound) return bound.host;
    const inDir = under(path, edge.dir);
    if (inDir !== undefined) {
      const copied = edge.placed.find((b) => b.sandbox === edge.dir);
      return copied && isFile(join(copied.host, inDir)) ? join(copied.host, inDir) : undefined;
    }
    const inSrc = under(path, '/src');
    const tree = edge.placed.find((b) => b.sandbox === '/src');
    return inSrc !== undefined && tree && isFile(join(tree.host, inSrc)) ? join(tree.host, inSrc) : undefined;
  };
}

/** The command with only the preprocessor run (`-E`): a single compiler command, or undefined. */
function discoveryText(text: string): string | undefined {
  const commands = splitCommand(text);
  const words = commands?.length === 1 ? commands[0]! : undefined;
  return words && COMPILER.test(basename(words[0] ?? '')) && words.includes('-c') ? `${text} -E` : undefined;
}

/** What a run read, from its dependency file: the project's files (sandbox paths, sorted), or why it cannot refine. */
function readFiles(edge: EdgeRun, build: string, view: (p: string) => string | undefined): Read[] | string {
  let deps: string[];
  try {
    deps = depfilePrerequisites(readFileSync(join(build, edge.depfile!), 'utf8'));
  } catch {
    return `it wrote no dependency file ${edge.depfile}`;
  }
  const project = (p: string) => p.startsWith('/src/') || p.startsWith(`${edge.dir}/`) || p.startsWith('/build/');
  const paths = [...new Set(deps.map((d) => posix.normalize(posix.isAbsolute(d) ? d : posix.join(edge.dir, d))).filter(project))].sort();
  const read: Read[] = [];
  for (const path of paths) {
    const host = view(path);
    if (host === undefined) return `it read ${path}, which is no file of its inputs`;
    read.push({ path, host });
  }
  // A `..` step needs the directory before it, which the exact layout has only on the way to a file it holds.
  const dirs = new Set([edge.dir, ...read.map((r) => posix.dirname(r.path))]);
  const shown = (d: string) => [...dirs].some((x) => x === d || x.startsWith(`${d}/`));
  for (const d of deps) {
    const parts = (posix.isAbsolute(d) ? d : `${edge.dir}/${d}`).split('/');
    for (let i = 1; i < parts.length; i++) {
      if (parts[i] === '..' && !shown(posix.normalize(parts.slice(0, i).join('/') || '/'))) return `it read ${d} through a directory the exact layout would not have`;
    }
  }
  return read;
}

/** The exact name: the command with exactly the files `read` as inputs, each by its content. */
async function exactName(ctx: RealizeContext, edge: EdgeRun, read: readonly Read[]): Promise<string> {
  const names: string[] = [];
  for (const r of read) names.push(`(${(await storeOutput(ctx, r.host, basename(r.path))).name})`);
  const params = `command=${str(edge.text)}${edge.dir === '/build' ? '' : `&dir=${str(edge.dir)}`}&inputs=${list(read.map((r) => r.path))}&outputs=${list(edge.outputs)}`;
  return `ninja:command?${params}(${[...names, `toolchain: (${edge.toolchain.name})`].join(', ')})`;
}

/**
 * Why the whole-tree result may not stand as the exact name's (it may have looked at a file the dependency file
 * does not list, which the exact layout lacks), or undefined when it may. Conservative: a reason costs a second
 * compile, never a wrong object.
 */
function whyNotOneRun(edge: EdgeRun, read: readonly Read[]): string | undefined {
  if (/(^|\s)@/.test(edge.text) || edge.text.includes('missing-include-dirs')) return 'its command may read a file the dependency file does not list';
  const probing = read.find((r) => UNLISTED_READ.test(readFileSync(r.host, 'latin1')));
  return probing && `${probing.path} may probe a file it did not read (__has_include, .incbin or #pragma GCC dependency)`;
}

/** Realize a compile run as a command with the whole source tree (see above): its outputs' tree. */
export async function compileCommand(ctx: RealizeContext, edge: EdgeRun): Promise<Resource> {
  const view = hostView(edge);
  const discovery = discoveryText(edge.text);
  let exact: string | undefined;
  let result: Resource | undefined;
  if (discovery !== undefined && likelyRecorded(ctx.store, edge, view)) {
    const read = await withWorkDir(ctx.store, async (work) => readFiles(edge, await runEdge(ctx, edge, discovery, work), view));
    ctx.commandsDone?.();
    if (typeof read !== 'string') {
      exact = await exactName(ctx, edge, read);
      keepReads(ctx.store, edge, read);
      ctx.log(`reads ${read.length} file${read.length === 1 ? '' : 's'} of the project (discovery only: its exact name is probably recorded)`);
    } else {
      ctx.log(`discovery could not refine it (${read}): compiling with the whole source tree`);
    }
  }
  if (exact === undefined) {
    const done = await withWorkDir(ctx.store, async (work) => {
      const build = await runEdge(ctx, edge, edge.text, work);
      ctx.commandsDone?.();
      return { out: await storeOutputs(ctx, edge, build, work), read: readFiles(edge, build, view) };
    });
    if (typeof done.read === 'string') {
      ctx.log(`compiled with the whole source tree, not refined: ${done.read}`);
      return done.out;
    }
    exact = await exactName(ctx, edge, done.read);
    keepReads(ctx.store, edge, done.read);
    const why = whyNotOneRun(edge, done.read);
    if (why === undefined) {
      ctx.log(`compiled in one run with the whole source tree; it read ${done.read.length} files of the project, recorded as the result of its exact name`);
      result = done.out;
    } else {
      ctx.log(`compiled with the whole source tree, but ${why}: running its exact name again`);
    }
  }
  ctx.emitReduction(exact);
  if (result) return result;
  if (!ctx.resolve) throw new NomiaError('namespace/contract', 'ninja:command with a depfile needs a realize context that can resolve names (its exact name is realized through the engine)');
  const [out] = await ctx.resolve(exact, { pure: true, signal: ctx.signal });
  if (!out) throw new NomiaError('namespace/contract', `${exact} gave no output`);
  return out;
}
