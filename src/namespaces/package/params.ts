/**
 * The parameters of `package:build-in-sandbox`, checked once, before any
 * work: `args=[…]` (required; `$x` items are input paths, `$out`/`$doc`… the
 * outputs), `env=["K=V", …]`, `outputs=[out, …]`, `name=…` and
 * `recursive=[namespace ids]` (the namespaces the build may realize names in
 * through the daemon; none by default).
 */
import { type AtomRequest, checkObjectName, onlyParams, stringParam, usage, type Value } from '../../namespace/index.js';

/** An argument: literal text, an input's path (or value), or an output's path. */
export type Arg = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'input'; readonly port: string } | { readonly kind: 'output'; readonly output: string };

export interface BuildSpec {
  readonly args: readonly Arg[];
  readonly env: readonly (readonly [string, string])[];
  /** Output names, the first is the default. */
  readonly outputs: readonly string[];
  /** The object name of the default output; the others are `<name>-<output>`. */
  readonly name: string;
  /** Namespace ids the build may use through the daemon. */
  readonly recursive: readonly string[];
}

export const PARAMS = ['args', 'env', 'outputs', 'name', 'recursive'];
const EXAMPLE = 'package:build-in-sandbox?args=[bash, -c, $script](exe: …/bin/bash, script: …)';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Set by the sandbox itself; a build may not override them. */
const RESERVED_ENV = new Set(['HOME', 'TMPDIR', 'TMP', 'TEMP', 'TEMPDIR', 'SOURCE_DATE_EPOCH', 'PATH', 'NOMIA_DAEMON', 'NOMIA_STORE']);

function list(req: AtomRequest, key: string): readonly Value[] | undefined {
  const p = req.params.find((x) => x.key === key);
  if (!p) return undefined;
  if (p.value.kind !== 'List') throw usage(req, `takes a list in \`${key}\`, e.g. ${key}=[a, b]`);
  return p.value.items;
}

function text(req: AtomRequest, key: string, v: Value): string {
  if (v.kind !== 'String') throw usage(req, `takes plain values in \`${key}\`, not ${v.kind === 'List' ? 'a list' : `\`$${v.input}\``}`);
  return v.value;
}

export function buildSpec(req: AtomRequest): BuildSpec {
  onlyParams(req, PARAMS);
  const outputs = (list(req, 'outputs') ?? [{ kind: 'String', value: 'out' }]).map((v) => text(req, 'outputs', v));
  if (outputs.length === 0) throw usage(req, 'needs at least one output in `outputs`');
  for (const o of outputs) {
    if (!ENV_NAME.test(o)) throw usage(req, `has the output name ${JSON.stringify(o)}, which is not an identifier`, 'outputs are named like variables: outputs=[out, doc]');
  }
  if (new Set(outputs).size !== outputs.length) throw usage(req, 'names an output twice in `outputs`');
  const argItems = list(req, 'args');
  if (!argItems || argItems.length === 0) throw usage(req, 'needs `args=[argv0, arg, …]`', `e.g. ${EXAMPLE}`);
  const args = argItems.map((v): Arg => {
    if (v.kind === 'InputRef') return outputs.includes(v.input) ? { kind: 'output', output: v.input } : { kind: 'input', port: v.input };
    return { kind: 'text', text: text(req, 'args', v) };
  });
  const env = (list(req, 'env') ?? []).map((v): [string, string] => {
    const t = text(req, 'env', v);
    const eq = t.indexOf('=');
    const key = eq > 0 ? t.slice(0, eq) : '';
    if (!ENV_NAME.test(key)) throw usage(req, `has the env entry ${JSON.stringify(t)}; entries are "NAME=value"`, 'quote each entry: env=["LANG=C", "OPT=-O2"]');
    if (RESERVED_ENV.has(key) || outputs.includes(key)) throw usage(req, `cannot set ${key} in \`env\`: the sandbox sets it`);
    return [key, t.slice(eq + 1)];
  });
  const name = checkObjectName(stringParam(req, 'name') ?? 'build');
  for (const o of outputs.slice(1)) checkObjectName(`${name}-${o}`);
  const recursive = (list(req, 'recursive') ?? []).map((v) => text(req, 'recursive', v));
  return { args, env, outputs, name, recursive };
}

/** The object name of an output. */
export function outputObjectName(spec: BuildSpec, output: string): string {
  return output === spec.outputs[0] ? spec.name : `${spec.name}-${output}`;
}
