/**
 * fast-check arbitraries for the name language: identifiers, values with
 * every character class the printer must handle (unquoted, URL, quoted with
 * escapes, unicode, lone surrogates), and whole ASTs of bounded depth.
 */
import fc from 'fast-check';
import {
  RESERVED_WORDS,
  type Arg, type AtomicName, type Declaration, type Ident, type Name, type NameRef, type NamespaceId,
  type OutputRef, type Param, type ParameterizedId, type ParamValue, type Substitution,
} from '../../src/name/ast.js';

const first = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZéλ名');
const rest = fc.constantFrom(...'abcxyz0189_-\'é');

export const identName = fc
  .tuple(first, fc.array(rest, { maxLength: 6 }))
  .map(([f, r]) => f + r.join(''))
  .filter((s) => !RESERVED_WORDS.has(s));

export const ident: fc.Arbitrary<Ident> = identName.map((name) => ({ kind: 'Ident', name }));

/** Name ids and namespace ids may also hold `+` after the first letter (`c++-project`, `g++`). */
export const nameIdName = fc
  .tuple(first, fc.array(fc.constantFrom(...'abcxyz0189_-\'é++'), { maxLength: 6 }))
  .map(([f, r]) => f + r.join(''))
  .filter((s) => !RESERVED_WORDS.has(s));

const nameId: fc.Arbitrary<Ident> = nameIdName.map((name) => ({ kind: 'Ident', name }));

const unquotedString = fc.array(fc.constantFrom(...'abz09_.+~%@\'-'), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
const urlString = fc.tuple(fc.constantFrom('http', 'https', 'git+ssh', 'file'), fc.array(fc.constantFrom(...'abc/.:?=;*"~09'), { maxLength: 12 }))
  .map(([s, p]) => `${s}://${p.join('')}`);
/** Paths as users type them, and strings that start like one but cannot be left unquoted. */
const pathString = fc.tuple(
  fc.constantFrom('/', './', '../', '~/', '//', '/*', '.', '..', '~', '~user/'),
  fc.array(fc.constantFrom(...'ab/.-_~:;=?*"é\u00a0 &,()[]'), { maxLength: 10 }),
).map(([p, r]) => p + r.join(''));
const anyString = fc.string({ unit: 'binary', maxLength: 10 });
const trickyString = fc.constantFrom('', ' ', 'a b', 'a/b', 'x:y', '"', '\\', '\n', 'in', 'let', '$x', '@y', '/*', '*/', 'a,b', '[', ']', '\u2028', '\ud800', 'é', '.', '..',
  '~', '/', './', '../', '~/', '/bin/sh', './src', '/a;', 'a;b', '/*x*/', '/a/*b', './x.out', 'http://a;b');

export const stringValue = fc.oneof(unquotedString, urlString, pathString, anyString, trickyString);

export const paramValue: fc.Arbitrary<ParamValue> = fc.letrec<{ v: ParamValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringValue.map((value): ParamValue => ({ kind: 'String', value })),
    ident.map((input): ParamValue => ({ kind: 'InputRef', input })),
    fc.array(tie('v'), { maxLength: 3 }).map((items): ParamValue => ({ kind: 'List', items })),
  ),
})).v;

const params: fc.Arbitrary<Param[]> = fc
  .uniqueArray(fc.tuple(identName, paramValue), { minLength: 1, maxLength: 3, selector: ([k]) => k })
  .map((ps) => ps.map(([k, value]): Param => ({ kind: 'Param', key: { kind: 'Ident', name: k }, value })));

export const parameterizedId: fc.Arbitrary<ParameterizedId> = fc
  .tuple(nameId, fc.option(params, { nil: undefined }))
  .map(([id, ps]) => (ps ? { kind: 'ParameterizedId', id, params: ps } : { kind: 'ParameterizedId', id }));

const segment = fc.oneof(unquotedString, fc.string({ minLength: 1, maxLength: 6 }))
  .filter((s) => s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0'));

export interface NameArbs {
  name: Name;
  outputRef: OutputRef;
  substitution: Substitution;
  nameRef: NameRef;
}

/** Whole names. `formalUnqualified: false` leaves out `f(x: y)` with `y` unqualified, which prints as `f(x: (y))`. */
export function nameArbitraries(options: { formalUnqualified: boolean }) {
  return fc.letrec<{ name: Name; outputRef: OutputRef; substitution: Substitution; nameRef: NameRef; decl: Declaration; arg: Arg }>((tie) => {
    const namespace: fc.Arbitrary<NamespaceId | undefined> = fc.oneof(
      { depthSize: 'small' },
      fc.constant(undefined),
      parameterizedId.map((id): NamespaceId => ({ kind: 'BuiltinNamespace', id })),
      tie('outputRef').map((ref): NamespaceId => ({ kind: 'NamedNamespace', ref })),
    );
    const atomic = fc.tuple(namespace, parameterizedId).map(([ns, id]): AtomicName =>
      ns ? { kind: 'AtomicName', namespace: ns, id } : { kind: 'AtomicName', id });
    return {
      nameRef: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atomic,
        ident.map((id): NameRef => ({ kind: 'Variable', id })),
        ident.map((id): NameRef => ({ kind: 'Resolved', id })),
        tie('name').map((name): NameRef => ({ kind: 'Nested', name })),
      ),
      arg: fc.tuple(fc.option(ident, { nil: undefined }), tie('outputRef')).map(([formal, value]): Arg =>
        formal ? { kind: 'Arg', formal, value } : { kind: 'Arg', value })
        .filter((a) => options.formalUnqualified || !a.formal || !(a.value.name.ref.kind === 'AtomicName' && !a.value.name.ref.namespace)),
      // Formal inputs are unique within one input list (a duplicate is a syntax error).
      substitution: fc.tuple(tie('nameRef'), fc.option(fc.uniqueArray(tie('arg'), { minLength: 1, maxLength: 3, selector: (a) => a.formal?.name ?? a }), { nil: undefined, depthSize: 'small' }))
        .map(([ref, args]): Substitution => (args ? { kind: 'Substitution', ref, args } : { kind: 'Substitution', ref })),
      outputRef: fc.tuple(tie('substitution'), fc.option(ident, { nil: undefined }), fc.option(fc.array(segment, { minLength: 1, maxLength: 3 }), { nil: undefined }))
        .map(([name, output, projection]): OutputRef => ({
          kind: 'OutputRef', name, ...(output ? { output } : {}), ...(projection ? { projection } : {}),
        })),
      decl: fc.tuple(fc.option(ident, { nil: undefined }), tie('substitution')).map(([binder, value]): Declaration =>
        binder ? { kind: 'Declaration', binder, value } : { kind: 'Declaration', value }),
      name: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('outputRef').map((body): Name => ({ kind: 'Tree', body })),
        fc.tuple(fc.array(tie('decl'), { minLength: 1, maxLength: 3 }), tie('outputRef')).map(([declarations, body]): Name => ({ kind: 'LetIn', declarations, body })),
        fc.array(tie('decl'), { minLength: 1, maxLength: 3 }).map((declarations): Name => ({ kind: 'Compose', declarations })),
      ),
    };
  });
}

/** Trivia to put between tokens: nothing, whitespace, or comments. */
export const trivia = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' ', '  ', '\n', '\t', ' \n  '),
  fc.string({ maxLength: 6 }).filter((s) => !s.includes('*/')).map((s) => `/*${s}*/`),
);
