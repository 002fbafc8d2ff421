/**
 * Resource types (DESIGN.md §4): an open set with a subtype relation. The
 * core types and their supertypes are registered here; namespaces may add
 * their own with `registerType`. A coercion from a subtype to a supertype is
 * a no-op the resolver infers.
 */

/**
 * A realized output. `name` is its most refined name, canonical text, e.g.
 * `filesystem:by-content?name=x&sha256=…`: the engine records the reduction
 * from the node's spelling to it, so the next realize is a lookup.
 */
export type Resource =
  | { readonly type: string; readonly kind: 'object'; readonly name: string; readonly path: string }
  | { readonly type: string; readonly kind: 'value'; readonly name: string; readonly value: string };

/** The core types. Namespaces may use others (registered with `registerType`). */
export type CoreType = 'fs-object' | 'file' | 'exe' | 'dir' | 'symlink' | 'value' | 'namespace' | 'context';

const supertypes = new Map<string, string | undefined>([
  ['fs-object', undefined],
  ['file', 'fs-object'],
  ['exe', 'file'],
  ['dir', 'fs-object'],
  ['symlink', 'fs-object'],
  ['value', undefined],
  ['namespace', undefined],
  ['context', undefined],
]);

/** Register a type and its direct supertype. Registering a known type again with another supertype is an error. */
export function registerType(type: string, supertype?: string): void {
  if (supertype !== undefined && !supertypes.has(supertype)) throw new Error(`unknown supertype ${supertype}`);
  if (supertypes.has(type) && supertypes.get(type) !== supertype) throw new Error(`type ${type} is already registered with another supertype`);
  supertypes.set(type, supertype);
}

export function isKnownType(type: string): boolean {
  return supertypes.has(type);
}

/** Whether a resource of type `sub` can be used where `sup` is expected (reflexive, transitive). */
export function isSubtype(sub: string, sup: string): boolean {
  for (let t: string | undefined = sub; t !== undefined; t = supertypes.get(t)) if (t === sup) return true;
  return false;
}

/** Substructural restrictions on a port (deep dive, "Structural rules"). */
export type Annotation = 'relevant' | 'affine' | 'ordered';
