/**
 * The `exec` namespace: `run?args=[…](inputs…)` runs a command, without a
 * sandbox (that is `package:build-in-sandbox`), for deterministic tools. In
 * `args`, `$x` is input x's path (or its value) and `$out` the path the
 * command must create; `$out` is also in the environment. The environment is
 * cleared except for PATH, `out`, `HOME` (a fresh empty directory) and one
 * variable per input (`in: …` sets `$in`), so the caller's environment does
 * not leak into a result that is reused by spelling. The output is added to the store and the name reduces to it.
 *
 * `label=…` is for people (what the step does, shown wherever the name is):
 * it cannot change what the command makes, so `spell` leaves it out and
 * names that differ only in their label, or in having one, share results.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  addPath, type AtomRequest, byContentName, checkObjectName, fsType, type Namespace, NomiaError, onlyParams, type RealizeContext, realPath,
  type Resource, stringParam, unknownName, usage, type Value, withWorkDir,
} from '../../namespace/index.js';
import { failureText, runCommand, startFailureHint } from '../run-command.js';
import { unsetVariableWarnings } from '../shell-variables.js';

function argv(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, out: string): string[] {
  const p = req.params.find((x) => x.key === 'args');
  if (!p || p.value.kind !== 'List' || p.value.items.length === 0) {
    throw usage(req, 'needs `args=[program, arg, …]`', 'e.g. exec:run?args=[sh, -c, "tr a-z A-Z < $in > $out"](in: …)');
  }
  return p.value.items.map((item: Value) => {
    if (item.kind === 'String') return item.value;
    if (item.kind === 'InputRef') {
      if (item.input === 'out') return out;
      const r = inputs[item.input];
      if (!r) throw usage(req, `refers to \`$${item.input}\` but no input \`${item.input}\` is given`, `pass it: exec:run?…(${item.input}: NAME)`);
      return r.kind === 'object' ? r.path : r.value;
    }
    throw usage(req, 'takes a flat list of arguments in `args`');
  });
}

export const execNamespace: Namespace = {
  id: 'exec',
  spelling: 'builtin:exec@1',
  describe(req) {
    if (req.nameId !== 'run') throw unknownName(req, ['run?args=[…](inputs…)']);
    onlyParams(req, ['args', 'name', 'label']);
    return { inputs: 'any', outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: false };
  },
  spell(req) {
    // Its canonical form is the name without the label; without one the default spelling stands as it is.
    return req.params.some((p) => p.key === 'label') ? { params: req.params.filter((p) => p.key !== 'label') } : undefined;
  },
  async realize(req, inputs, ctx: RealizeContext) {
    if (req.nameId !== 'run') throw unknownName(req, ['run']);
    const name = checkObjectName(stringParam(req, 'name') ?? 'out');
    // A work directory gc recognizes as this process's (it must not be swept while the command runs).
    return withWorkDir(ctx.store, async (work) => {
      const out = join(work, 'out');
      const home = join(work, 'home');
      mkdirSync(home);
      const [program, ...rest] = argv(req, inputs, out);
      const env: Record<string, string> = { PATH: ctx.context.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TMPDIR: home };
      // Each input is also in the environment under its name (as Nix passes a derivation's inputs), so a
      // script can say "$in"; positional inputs as in0, in1, ….
      for (const [port, r] of Object.entries(inputs)) env[/^\d+$/.test(port) ? `in${port}` : port] = r.kind === 'object' ? r.path : r.value;
      env['out'] = out;
      const strings = req.params.find((x) => x.key === 'args')!.value as Extract<Value, { kind: 'List' }>;
      for (const w of unsetVariableWarnings('exec:run', strings.items.map((v) => (v.kind === 'String' ? v.value : undefined)), Object.keys(env))) ctx.events.emit(w);
      const tail: string[] = [];
      const onOutput = (line: string) => {
        ctx.log(line);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      };
      const { exit } = await runCommand({ program: program!, args: rest, env, cwd: home, signal: ctx.signal, onOutput }).catch((e: NodeJS.ErrnoException) => {
        if (ctx.signal.aborted) throw e;
        throw new NomiaError('usage', `exec:run cannot start ${program}: ${e.message}`, { hint: startFailureHint(program!, e) });
      });
      if (!('status' in exit) || exit.status !== 0) {
        throw new NomiaError('realize/failed', `exec:run ${program} ${failureText(exit)}${tail.length ? `; last lines:\n  ${tail.join('\n  ')}` : ''}`);
      }
      if (!existsSync(out)) throw new NomiaError('realize/failed', `exec:run ${program} succeeded but did not create $out`, { hint: 'write the result to the path in $out' });
      const { object } = await addPath(ctx.store, out, { name });
      const path = realPath(ctx.store, object);
      return { out: { kind: 'object', type: fsType(path), name: byContentName(object), path } as Resource };
    });
  },
};
