/**
 * A namespace as a table of its names: each with the form shown when a name
 * is mistyped, its signature, and the function that realizes it. What the
 * built-in namespaces with a fixed set of names (cc, gcc, ninja, cmake)
 * would otherwise each write again: `describe` answers the name's
 * signature, `realize` dispatches to its function, and an unknown name is
 * the same `usage` error (with the closest name suggested) in both.
 */
import { unknownName } from './params.js';
import type { AtomRequest, Namespace, RealizeContext, Resource, Signature } from './types.js';

/** One name of a namespace. */
export interface NameEntry {
  /** How the name is written, listed when a name is mistyped: `compile?args=[…](src: FILE, …)`. */
  readonly form: string;
  readonly signature: Signature;
  realize(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>>;
}

/** The signature of a name that makes one store object `out` from `inputs` (any inputs by default). */
export function makesObject(options: { readonly inputs?: Signature['inputs']; readonly contextual?: boolean } = {}): Signature {
  return { inputs: options.inputs ?? 'any', outputs: { out: { type: 'fs-object' } }, defaultOutput: 'out', contextual: options.contextual ?? false };
}

/**
 * The namespace `id`, spelled `builtin:<id>@<major>`, whose names are `names` (keyed by name id).
 * The entries are listed in an unknown name's hint in the table's order.
 */
export function namespaceOfNames(id: string, major: number, names: Readonly<Record<string, NameEntry>>): Namespace {
  const entry = (req: AtomRequest): NameEntry => {
    if (!Object.hasOwn(names, req.nameId)) throw unknownName(req, Object.values(names).map((e) => e.form));
    return names[req.nameId]!;
  };
  return {
    id,
    spelling: `builtin:${id}@${major}`,
    describe: (req) => entry(req).signature,
    realize: (req, inputs, ctx) => entry(req).realize(req, inputs, ctx),
  };
}
