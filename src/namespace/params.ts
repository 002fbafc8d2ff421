/** Reading a request: its parameters, and the errors for a wrong one. Every namespace shares these. */
import { NomiaError } from '../errors.js';
import { didYouMean } from './suggest.js';
import type { AtomRequest, Signature } from './types.js';

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
    if (!allowed.includes(p.key)) throw usage(req, `does not take the parameter \`${p.key}\`${didYouMean(p.key, allowed)}`, allowed.length ? `its parameters: ${allowed.join(', ')}` : 'it takes no parameters');
  }
}

export function usage(req: AtomRequest, what: string, hint?: string): NomiaError {
  return new NomiaError('usage', `${req.namespace.id}:${req.nameId} ${what}`, hint === undefined ? {} : { hint });
}

export function unknownName(req: AtomRequest, names: readonly string[]): NomiaError {
  // `names` are forms like `import?path=…[&name=…]`: the id is what comes before `?` or `[`.
  const ids = names.map((n) => /^[^?[]*/.exec(n)![0]);
  return usage(req, `is not a name of this namespace${didYouMean(req.nameId, ids)}`, `the ${req.namespace.id} namespace has: ${names.join(', ')}`);
}

/** A signature with no inputs and one output `out`. */
export function leaf(type: string, contextual: boolean): Signature {
  return { inputs: {}, outputs: { out: { type } }, defaultOutput: 'out', contextual };
}

