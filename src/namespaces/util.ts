/** Small helpers the built-in namespaces share. */
import { lstatSync } from 'node:fs';
import { NomiaError } from '../errors.js';
import { printValue } from '../name/print.js';
import type { AtomRequest, Resource, Signature } from '../namespace/types.js';

/** A string parameter, or undefined when absent. Lists and input references are an error here. */
export function stringParam(req: AtomRequest, key: string): string | undefined {
  const p = req.params.find((x) => x.key === key);
  if (!p) return undefined;
  if (p.value.kind !== 'String') throw usage(req, `parameter \`${key}\` must be a plain value`);
  return p.value.value;
}

export function requireParam(req: AtomRequest, key: string, example: string): string {
  const v = stringParam(req, key);
  if (v === undefined) throw usage(req, `needs the parameter \`${key}\``, `e.g. ${example}`);
  return v;
}

/** Refuse parameters a name does not take (a typo would otherwise silently change the spelling only). */
export function onlyParams(req: AtomRequest, allowed: readonly string[]): void {
  for (const p of req.params) {
    if (!allowed.includes(p.key)) throw usage(req, `does not take the parameter \`${p.key}\``, allowed.length ? `its parameters: ${allowed.join(', ')}` : 'it takes no parameters');
  }
}

export function usage(req: AtomRequest, what: string, hint?: string): NomiaError {
  return new NomiaError('usage', `${req.namespace.id}:${req.nameId} ${what}`, hint === undefined ? {} : { hint });
}

export function unknownName(req: AtomRequest, names: readonly string[]): NomiaError {
  return usage(req, 'is not a name of this namespace', `the ${req.namespace.id} namespace has: ${names.join(', ')}`);
}

/** The name of a value resource: `context:value?v=…`. */
export function valueName(value: string): string {
  return `context:value?v=${printValue({ kind: 'String', value })}`;
}

export function valueResource(value: string): Resource {
  return { kind: 'value', type: 'value', value, name: valueName(value) };
}

/** The resource type of a path in the store. */
export function fsType(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  return st.mode & 0o100 ? 'exe' : 'file';
}

/** A signature with no inputs and one output `out`. */
export function leaf(type: string, contextual: boolean): Signature {
  return { inputs: {}, outputs: { out: { type } }, defaultOutput: 'out', contextual };
}

