/**
 * The `package` namespace: `build-in-sandbox?args=[…](exe: …, …inputs)` runs
 * the `exe` input with `args` in a bubblewrap sandbox and stores what it
 * writes to `$out` (and the other `outputs`) by content, modulo
 * self-reference: the name reduces to `filesystem:by-content?…`, and two
 * builds with byte-identical outputs share the object. See
 * docs/namespaces/package.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import {
  type AtomRequest, closure, encodeBase32, entryOf, type Namespace, NomiaError, printValue, type RealizeContext, type Resource,
  type Signature, unknownName, usage, type Value, withWorkDir,
} from '../../namespace/index.js';
import { unsetVariableWarnings } from '../shell-variables.js';
import { storeOutputs, type BuiltOutput } from './outputs.js';
import { buildSpec, outputObjectName, type BuildSpec } from './params.js';
import { openRecursion, type Recursion } from './recursive.js';
import { failureText } from '../run-command.js';
import { ROOT_PATH } from './root-binds.js';
import { runSandboxed, runUnsandboxed, type BuildExit, type SandboxMode } from './sandbox.js';

export interface PackageOptions {
  /** `none` is the explicit opt-out (`--sandbox=none`); every such build says so in its log. */
  readonly sandbox?: SandboxMode;
}

/** What `$x` means for a resource: its path, or its value. */
const valueOf = (r: Resource) => (r.kind === 'object' ? r.path : r.value);


/** The placeholder hash part an output is built under: fixed for a request, so a rebuild writes the same bytes. */
function placeholder(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, output: string): string {
  const key = JSON.stringify([req.nameId, req.params, Object.entries(inputs).map(([k, r]) => [k, r.name]).sort(), output]);
  return encodeBase32(createHash('sha256').update(`nomia-placeholder:${key}`).digest());
}

/** Inputs become variables (`exe: …` sets `$exe`); positional ones `in0`, `in1`…; names that are not identifiers are skipped. */
function inputVariable(port: string): string | undefined {
  if (/^\d+$/.test(port)) return `in${port}`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(port) ? port : undefined;
}

/** PATH: the directory of the exe and the `bin` of every input directory, in port order; with a root, then the root's usual ones. */
function searchPath(inputs: Readonly<Record<string, Resource>>): string {
  const dirs: string[] = [];
  for (const [port, r] of Object.entries(inputs)) {
    if (r.kind !== 'object' || port === 'root') continue;
    if (port === 'exe') dirs.push(dirname(r.path));
    else if (r.type === 'dir') dirs.push(join(r.path, 'bin'));
  }
  if (inputs['root']) dirs.push(...ROOT_PATH.split(':'));
  return [...new Set(dirs)].join(':') || '/path-not-set';
}

/**
 * The program a build runs: the `exe` input, or, with a `root:` input and
 * no exe, `args[0]` as an absolute path inside the root (`/usr/bin/make`).
 */
function program(req: AtomRequest, spec: BuildSpec, inputs: Readonly<Record<string, Resource>>): string {
  const exe = inputs['exe'];
  const root = inputs['root'];
  if (root !== undefined && (root.kind !== 'object' || root.type !== 'dir')) {
    throw usage(req, `takes a directory tree as \`root\`, but ${root.name} is ${root.kind === 'object' ? `a ${root.type}` : 'a value'}`, 'e.g. root: deb:closure?packages=[gcc, make, libc6-dev]');
  }
  if (!exe && root?.kind === 'object') {
    const first = spec.args[0];
    const path = first?.kind === 'text' ? first.text : '';
    if (!path.startsWith('/')) throw usage(req, 'runs `args[0]` from its root when it has no `exe`, so `args[0]` must be an absolute path', 'e.g. args=[/bin/sh, -c, "…"]');
    try {
      const st = statSync(join(root.path, path));
      if (st.isFile() && (st.mode & 0o111) !== 0) return path;
    } catch {
      // Reported below.
    }
    throw usage(req, `runs ${path} from its root, but the root ${root.name} has no executable file there`, 'add the package that ships it to the closure');
  }
  if (!exe) throw usage(req, 'needs the input `exe`, the program to run (or a `root:` tree and an absolute args[0])', 'e.g. (exe: filesystem:by-content?name=bootstrap-tools&sha256=…/bin/bash, …)');
  if (exe.kind !== 'object' || !isExecutable(exe)) {
    // A plain file here is most often a script added without its x bit: the store keeps the mode it was added with.
    const hint = exe.kind === 'object' && exe.type === 'file'
      ? 'a script needs its x bit before it is added (`chmod +x` it, then `nomia add` it again), or run it through its interpreter: args=[bash, $script](exe: …/bin/bash, script: …)'
      : 'project the program inside a directory: …/bin/bash';
    throw usage(req, `runs its input \`exe\`, but ${exe.name} is ${exe.kind === 'object' ? `a ${exe.type}, not an executable file` : 'a value'}`, hint);
  }
  return exe.path;
}

/** An executable file, directly or through a symlink (`bootstrap-tools/bin/sh` → busybox). */
function isExecutable(r: Extract<Resource, { kind: 'object' }>): boolean {
  if (r.type === 'exe') return true;
  if (r.type !== 'symlink') return false;
  try {
    const st = statSync(r.path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function describeBuild(req: AtomRequest): Signature {
  const spec = buildSpec(req);
  return {
    inputs: 'any',
    outputs: Object.fromEntries(spec.outputs.map((o) => [o, { type: 'fs-object' }])),
    defaultOutput: spec.outputs[0]!,
    contextual: false,
  };
}

function argv(req: AtomRequest, spec: BuildSpec, inputs: Readonly<Record<string, Resource>>, outPaths: Readonly<Record<string, string>>): string[] {
  return spec.args.map((a) => {
    if (a.kind === 'text') return a.text;
    if (a.kind === 'output') return outPaths[a.output]!;
    const r = inputs[a.port];
    if (!r) throw usage(req, `refers to \`$${a.port}\` in \`args\`, but no input \`${a.port}\` is given`, `pass it: package:build-in-sandbox?…(${a.port}: NAME)`);
    return valueOf(r);
  });
}

export function createPackageNamespace(options: PackageOptions = {}): Namespace {
  const mode: SandboxMode = options.sandbox ?? 'bubblewrap';
  return {
    id: 'package',
    // A result built without the sandbox may depend on the host: it is spelled apart (and so is everything
    // made from it), and its rows are not under a `builtin:` emitter, so a sandboxed realize never follows them.
    spelling: mode === 'bubblewrap' ? 'builtin:package@1' : 'unsandboxed:package@1',
    describe(req) {
      if (req.nameId !== 'build-in-sandbox') throw unknownName(req, ['build-in-sandbox?args=[…](exe: …, …)']);
      return describeBuild(req);
    },
    async realize(req, inputs, ctx: RealizeContext) {
      if (req.nameId !== 'build-in-sandbox') throw unknownName(req, ['build-in-sandbox']);
      const spec = buildSpec(req);
      const exePath = program(req, spec, inputs);
      const root = inputs['root']?.kind === 'object' ? inputs['root'].path : undefined;
      if (root !== undefined && mode !== 'bubblewrap') throw new NomiaError('sandbox/unavailable', 'a build with a `root:` input needs the sandbox (the root is bound at `/` in it)', { hint: 'drop --sandbox=none' });
      const store = ctx.store;
      const storeDir = store.layout.storeDir;
      const visibleObjects = new Set<string>();
      for (const r of Object.values(inputs)) {
        if (r.kind !== 'object') continue;
        const o = entryOf(store, r.path);
        if (!o) throw usage(req, `can only see store objects, but its input ${r.name} is at ${r.path}`);
        visibleObjects.add(o);
      }
      const seen = closure(store, visibleObjects);
      return withWorkDir(store, async (work) => {
        const storeView = join(work, 'store');
        const scratch = join(work, 'scratch');
        mkdirSync(storeView);
        mkdirSync(scratch);
        const built: BuiltOutput[] = spec.outputs.map((output) => {
          const ph = placeholder(req, inputs, output);
          const name = outputObjectName(spec, output);
          return { output, name, placeholder: ph, hostPath: join(storeView, `${ph}-${name}`) };
        });
        const sandboxed = mode === 'bubblewrap';
        // In the sandbox an output is written at its final-length path in the store directory (a scratch view
        // of it); without one, at the view's host path (and then it must not refer to itself).
        const outPaths = Object.fromEntries(built.map((b) => [b.output, sandboxed ? posix.join(storeDir, `${b.placeholder}-${b.name}`) : b.hostPath]));
        const env: Record<string, string> = {};
        for (const [port, r] of Object.entries(inputs)) {
          const v = inputVariable(port);
          if (v) env[v] = valueOf(r);
        }
        for (const [k, v] of spec.env) env[k] = v;
        Object.assign(env, outPaths);
        const tmp = sandboxed ? '/tmp' : join(work, 'tmp');
        if (!sandboxed) mkdirSync(tmp);
        Object.assign(env, {
          PATH: searchPath(inputs), HOME: '/homeless-shelter', TMPDIR: tmp, TMP: tmp, TEMP: tmp, TEMPDIR: tmp,
          SOURCE_DATE_EPOCH: '1', NOMIA_STORE: storeDir,
        });
        // Usage errors before anything is opened that would have to be closed.
        const args = argv(req, spec, inputs, outPaths);
        let recursion: Recursion | undefined;
        if (spec.recursive.length) {
          if (!sandboxed) throw new NomiaError('sandbox/unavailable', 'recursive builds need the sandbox (the daemon channel is bound into it)', { hint: 'drop --sandbox=none' });
          if (!ctx.resolve) throw new NomiaError('build/failed', 'this caller cannot serve recursive builds (no resolve in the realize context)');
          recursion = await openRecursion({ work, storeView, store, granted: spec.recursive, resolve: ctx.resolve, log: ctx.log, signal: ctx.signal });
          env['NOMIA_DAEMON'] = recursion.sandboxDir;
          env['PATH'] = `${env['PATH']}:${recursion.binDir}`;
        }
        const texts = spec.args.map((a) => (a.kind === 'text' ? a.text : undefined));
        for (const w of unsetVariableWarnings(`${req.namespace.id}:${req.nameId}`, texts, Object.keys(env))) ctx.events.emit(w);
        const tail: string[] = [];
        const onOutput = (line: string) => {
          ctx.log(line);
          tail.push(line);
          if (tail.length > 25) tail.shift();
        };
        if (!sandboxed) ctx.log('warning: building WITHOUT a sandbox (--sandbox=none): the build sees the host and the network');
        let exit: BuildExit;
        try {
          exit = sandboxed
            ? await runSandboxed({
              program: exePath, argv: args, env, storeDir, storeView, visible: seen.map((o) => join(storeDir, o)),
              binds: recursion ? recursion.binds : [], cwd: '/tmp', signal: ctx.signal, onOutput, ...(root === undefined ? {} : { root }),
            })
            : await runUnsandboxed({ program: exePath, argv: args, env, storeDir, cwd: tmp, signal: ctx.signal, onOutput });
        } finally {
          await recursion?.close();
        }
        if (!('status' in exit) || exit.status !== 0) {
          throw new NomiaError('build/failed', `the build ${failureText(exit)}${tail.length ? `; its last lines:\n  ${tail.join('\n  ')}` : ' and printed nothing'}`, {
            hint: 'the whole log: nomia log NAME',
          });
        }
        const outs = await storeOutputs({
          store, outputs: built, scratch, unsandboxed: !sandboxed,
          candidates: [...seen, ...(recursion?.objects() ?? [])],
        });
        // What the build printed names each output by the path it wrote (a placeholder in the sandbox); say
        // where that output is now, its self-references rewritten, so the log does not name a path that
        // never exists in the store.
        for (const b of built) {
          const r = outs[b.output]!;
          ctx.log(`output ${b.output}: built at ${outPaths[b.output]}, stored as ${r.kind === 'object' ? r.path : r.name}`);
        }
        if (recursion && recursion.used().length) {
          ctx.emitReduction(refinedName(req, inputs, recursion.used()));
        }
        return outs;
      });
    },
  };
}

/** A parameter value as name text (the graph's values carry no positions, so the AST printer is not used). */
function printGraphValue(v: Value): string {
  if (v.kind === 'String') return printValue({ kind: 'String', value: v.value });
  if (v.kind === 'InputRef') return `$${v.input}`;
  return `[${v.items.map(printGraphValue).join(', ')}]`;
}

/**
 * The build's name with what it realized through the daemon as explicit
 * inputs (`recursive0: …`, …): realizing it needs no recursive call that is
 * not already answered, so the recorded chain describes a plain graph.
 */
export function refinedName(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, used: readonly Resource[]): string {
  const params = req.params.map((p) => `${p.key}=${printGraphValue(p.value)}`).join('&');
  const atom = `${req.namespace.id}:${req.nameId}${params ? `?${params}` : ''}`;
  const args = [
    ...Object.entries(inputs).map(([port, r]) => (/^\d+$/.test(port) ? `(${r.name})` : `${port}: (${r.name})`)),
    ...used.map((r, i) => `recursive${i}: (${r.name})`),
  ];
  return `${atom}(${args.join(', ')})`;
}

export const packageNamespace = createPackageNamespace();
