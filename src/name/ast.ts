/**
 * The AST of the name language. Node kinds follow `name-grammar.cf`
 * (Tree, LetIn, Compose, Declaration, Substitution, NameRef, AtomicName,
 * OutputRef, Param) plus the extensions of DESIGN.md §2 (list values, input
 * references in values, projections, replacements).
 *
 * Every node is plain readonly data discriminated by `kind`. `span` is the
 * source range the node was parsed from; nodes built by code (or read from
 * JSON without positions) have no span. Spans never affect meaning: two ASTs
 * that differ only in spans are the same name.
 */
import type { Span } from '../errors.js';

/** An identifier with where it was written. */
export interface Ident {
  readonly kind: 'Ident';
  readonly name: string;
  readonly span?: Span;
}

/** A whole name: one of the grammar's three `Name` forms. */
export type Name = Tree | LetIn | Compose;

/** `OutputRef` as a whole name (the grammar's `Tree`, widened to allow `.out` and projections at the top). */
export interface Tree {
  readonly kind: 'Tree';
  readonly body: OutputRef;
  readonly span?: Span;
}

/** `let d1; d2 in body`: sugar for `compose d1; d2; body`. */
export interface LetIn {
  readonly kind: 'LetIn';
  /** Non-empty. */
  readonly declarations: readonly Declaration[];
  readonly body: OutputRef;
  readonly span?: Span;
}

/** `compose d1; d2; …`: declarations that may reference each other in any order, cycles included. */
export interface Compose {
  readonly kind: 'Compose';
  /** Non-empty. */
  readonly declarations: readonly Declaration[];
  readonly span?: Span;
}

/** `x = subst` (Bound, `binder` set) or a bare `subst` (Unbound). */
export interface Declaration {
  readonly kind: 'Declaration';
  readonly binder?: Ident;
  readonly value: Substitution;
  readonly span?: Span;
}

/** A name reference, optionally applied to inputs: `ref` or `ref(arg, …)`. */
export interface Substitution {
  readonly kind: 'Substitution';
  readonly ref: NameRef;
  /** `undefined` for the grammar's Nullary form; otherwise non-empty. */
  readonly args?: readonly Arg[];
  readonly span?: Span;
}

/** One `SubstitutionSpec`: `formal: value` or a positional `value`. */
export interface Arg {
  readonly kind: 'Arg';
  /** The input port this argument feeds; absent for a positional argument. */
  readonly formal?: Ident;
  readonly value: OutputRef;
  readonly span?: Span;
}

/** A substitution, with the output it selects (`.out`) and a sub-path projection (`/bin/bash`). */
export interface OutputRef {
  readonly kind: 'OutputRef';
  readonly name: Substitution;
  /** Absent: the default output, chosen by the calling context. */
  readonly output?: Ident;
  /** Path segments of a projection; absent or non-empty. `//a` and `/a` are the same projection. */
  readonly projection?: readonly string[];
  readonly span?: Span;
}

export type NameRef = AtomicName | Variable | Resolved | Nested;

/** `$x`: the declaration bound to `x` in an enclosing `let` or `compose`. */
export interface Variable {
  readonly kind: 'Variable';
  readonly id: Ident;
  readonly span?: Span;
}

/** `@x`: a resolved name supplied when the name is resolved. */
export interface Resolved {
  readonly kind: 'Resolved';
  readonly id: Ident;
  readonly span?: Span;
}

/** `( name )`: a whole name used where a single name reference stands. */
export interface Nested {
  readonly kind: 'Nested';
  readonly name: Name;
  readonly span?: Span;
}

/** `namespace:id?params` or an unqualified `id?params`. */
export interface AtomicName {
  readonly kind: 'AtomicName';
  /** Absent: the default namespace of the resolution context. */
  readonly namespace?: NamespaceId;
  readonly id: ParameterizedId;
  readonly span?: Span;
}

export type NamespaceId = BuiltinNamespace | NamedNamespace;

/** A namespace located by its id in the namespace of namespaces: `git`, `private-filesystem?user=root`. */
export interface BuiltinNamespace {
  readonly kind: 'BuiltinNamespace';
  readonly id: ParameterizedId;
  readonly span?: Span;
}

/** A namespace that is itself the output of a name: `(foo:bar.namespace):x`. */
export interface NamedNamespace {
  readonly kind: 'NamedNamespace';
  readonly ref: OutputRef;
  readonly span?: Span;
}

/** `id` or `id?k=v&…`. */
export interface ParameterizedId {
  readonly kind: 'ParameterizedId';
  readonly id: Ident;
  /** `undefined` when there is no `?`; otherwise non-empty, keys unique, in written order. */
  readonly params?: readonly Param[];
  readonly span?: Span;
}

export interface Param {
  readonly kind: 'Param';
  readonly key: Ident;
  readonly value: ParamValue;
  readonly span?: Span;
}

export type ParamValue = StringValue | ListValue | InputRefValue;

/** A string value; whether it is printed quoted is the printer's decision, not part of the AST. */
export interface StringValue {
  readonly kind: 'String';
  readonly value: string;
  readonly span?: Span;
}

/** `[a, b, $c]`. May be empty. */
export interface ListValue {
  readonly kind: 'List';
  readonly items: readonly ParamValue[];
  readonly span?: Span;
}

/** `$input` inside a value: the anomic name (e.g. the path) of the input port `input`. */
export interface InputRefValue {
  readonly kind: 'InputRef';
  readonly input: Ident;
  readonly span?: Span;
}

/** `from => to`: a user-asserted reduction (`nomia reduce`). */
export interface Replacement {
  readonly kind: 'Replacement';
  readonly from: Name;
  readonly to: Name;
  readonly span?: Span;
}

/** What `parseExpression` accepts: a name, or a replacement between two names. */
export type Expression = Name | Replacement;

/** Words that cannot be a name id, namespace id, variable or binder: they start or separate the `let`/`compose` forms. Input names, output names and parameter keys may use them. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['let', 'in', 'compose']);

/**
 * `RESERVED_WORDS.has(word)`, for the parser's hot path: comparing with the
 * three words is cheaper than hashing every fresh identifier for a Set lookup.
 */
export function isReservedWord(word: string): boolean {
  switch (word.length) {
    case 2: return word === 'in';
    case 3: return word === 'let';
    case 7: return word === 'compose';
    default: return false;
  }
}
