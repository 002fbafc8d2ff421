/**
 * The JSON form of the AST (`nomia parse --json`), specified in
 * `docs/names.md`. It mirrors the AST node for node, with identifiers as plain
 * strings and spans left out unless asked for. `fromJson` checks everything the
 * parser would (identifier syntax, keywords, non-empty lists, unique
 * parameters, depth), so a JSON name is exactly as valid as a text one.
 */
import { NomiaError, type Span } from '../errors.js';
import {
  RESERVED_WORDS,
  type Arg, type Declaration, type Expression, type Ident, type Name, type NameRef, type NamespaceId,
  type OutputRef, type Param, type ParameterizedId, type ParamValue, type Substitution,
} from './ast.js';
import { IDENTIFIER, NAME_IDENTIFIER } from './char-classes.js';
import { MAX_DEPTH } from './parse.js';

/** The envelope's format tag; bumped on any incompatible change. */
export const JSON_FORMAT = 'nomia-name/1';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ToJsonOptions {
  /** Include `span: [startOffset, endOffset]` on nodes that have one. */
  readonly positions?: boolean;
}

/** The JSON form of a name or replacement, in its versioned envelope. */
export function toJson(e: Expression, options: ToJsonOptions = {}): { format: string; name: Json } {
  const pos = options.positions === true;
  const sp = (s: Span | undefined): Record<string, Json> => (pos && s ? { span: [s.start.offset, s.end.offset] } : {});
  const id = (i: Ident): string => i.name;
  const value = (v: ParamValue): Json => {
    switch (v.kind) {
      case 'String': return { kind: 'String', value: v.value, ...sp(v.span) };
      case 'InputRef': return { kind: 'InputRef', input: id(v.input), ...sp(v.span) };
      case 'List': return { kind: 'List', items: v.items.map(value), ...sp(v.span) };
    }
  };
  const pid = (p: ParameterizedId): Json => ({
    kind: 'ParameterizedId', id: id(p.id),
    ...(p.params ? { params: p.params.map((q) => ({ kind: 'Param', key: id(q.key), value: value(q.value), ...sp(q.span) })) } : {}),
    ...sp(p.span),
  });
  const ns = (n: NamespaceId): Json =>
    n.kind === 'BuiltinNamespace'
      ? { kind: 'BuiltinNamespace', id: pid(n.id), ...sp(n.span) }
      : { kind: 'NamedNamespace', ref: outputRef(n.ref), ...sp(n.span) };
  const nameRef = (r: NameRef): Json => {
    switch (r.kind) {
      case 'Variable': return { kind: 'Variable', id: id(r.id), ...sp(r.span) };
      case 'Resolved': return { kind: 'Resolved', id: id(r.id), ...sp(r.span) };
      case 'Nested': return { kind: 'Nested', name: name(r.name), ...sp(r.span) };
      case 'AtomicName':
        return { kind: 'AtomicName', ...(r.namespace ? { namespace: ns(r.namespace) } : {}), id: pid(r.id), ...sp(r.span) };
    }
  };
  const arg = (a: Arg): Json => ({ kind: 'Arg', ...(a.formal ? { formal: id(a.formal) } : {}), value: outputRef(a.value), ...sp(a.span) });
  const subst = (s: Substitution): Json => ({ kind: 'Substitution', ref: nameRef(s.ref), ...(s.args ? { args: s.args.map(arg) } : {}), ...sp(s.span) });
  const outputRef = (o: OutputRef): Json => ({
    kind: 'OutputRef', name: subst(o.name),
    ...(o.output ? { output: id(o.output) } : {}),
    ...(o.projection ? { projection: [...o.projection] } : {}),
    ...sp(o.span),
  });
  const decl = (d: Declaration): Json => ({ kind: 'Declaration', ...(d.binder ? { binder: id(d.binder) } : {}), value: subst(d.value), ...sp(d.span) });
  const name = (n: Name): Json => {
    switch (n.kind) {
      case 'Tree': return { kind: 'Tree', body: outputRef(n.body), ...sp(n.span) };
      case 'LetIn': return { kind: 'LetIn', declarations: n.declarations.map(decl), body: outputRef(n.body), ...sp(n.span) };
      case 'Compose': return { kind: 'Compose', declarations: n.declarations.map(decl), ...sp(n.span) };
    }
  };
  const body = e.kind === 'Replacement' ? { kind: 'Replacement', from: name(e.from), to: name(e.to), ...sp(e.span) } : name(e);
  return { format: JSON_FORMAT, name: body };
}

class Reader {
  private depth = 0;

  fail(path: string, message: string): never {
    throw new NomiaError('json/invalid', `invalid JSON name at ${path}: ${message}`, {
      hint: 'see docs/names.md for the JSON form; `nomia parse --json NAME` shows an example',
    });
  }

  obj(v: unknown, path: string, kinds: readonly string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected an object');
    const o = v as Record<string, unknown>;
    if (typeof o['kind'] !== 'string' || !kinds.includes(o['kind'])) {
      this.fail(path, `expected \`kind\` to be ${kinds.map((k) => `"${k}"`).join(' or ')}, found ${JSON.stringify(o['kind'])}`);
    }
    return o;
  }

  nested<T>(path: string, f: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(path, `nests deeper than ${MAX_DEPTH} levels`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** `reserved`: a keyword is refused (name ids, namespace ids, variables, binders); `nameId`: `+` is allowed after the first letter. */
  ident(v: unknown, path: string, reserved = false, nameId = false): Ident {
    if (typeof v !== 'string' || !(nameId ? NAME_IDENTIFIER : IDENTIFIER).test(v)) {
      this.fail(path, `expected ${nameId ? 'a name id' : 'an identifier'}, found ${JSON.stringify(v)}`);
    }
    if (reserved && RESERVED_WORDS.has(v)) this.fail(path, `\`${v}\` is a keyword`);
    return { kind: 'Ident', name: v };
  }

  list(v: unknown, path: string, nonEmpty: boolean): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    if (nonEmpty && v.length === 0) this.fail(path, 'expected a non-empty array');
    return v;
  }

  value(v: unknown, path: string): ParamValue {
    const o = this.obj(v, path, ['String', 'List', 'InputRef']);
    switch (o['kind']) {
      case 'String':
        if (typeof o['value'] !== 'string') this.fail(`${path}.value`, 'expected a string');
        return { kind: 'String', value: o['value'] };
      case 'InputRef':
        return { kind: 'InputRef', input: this.ident(o['input'], `${path}.input`) };
      default:
        return this.nested(path, () => ({
          kind: 'List',
          items: this.list(o['items'], `${path}.items`, false).map((x, i) => this.value(x, `${path}.items[${i}]`)),
        }));
    }
  }

  pid(v: unknown, path: string): ParameterizedId {
    const o = this.obj(v, path, ['ParameterizedId']);
    const id = this.ident(o['id'], `${path}.id`, true, true);
    if (o['params'] === undefined) return { kind: 'ParameterizedId', id };
    const seen = new Set<string>();
    const params = this.list(o['params'], `${path}.params`, true).map((p, i): Param => {
      const at = `${path}.params[${i}]`;
      const q = this.obj(p, at, ['Param']);
      const key = this.ident(q['key'], `${at}.key`);
      if (seen.has(key.name)) this.fail(`${at}.key`, `parameter \`${key.name}\` is given twice`);
      seen.add(key.name);
      return { kind: 'Param', key, value: this.value(q['value'], `${at}.value`) };
    });
    return { kind: 'ParameterizedId', id, params };
  }

  nameRef(v: unknown, path: string): NameRef {
    const o = this.obj(v, path, ['AtomicName', 'Variable', 'Resolved', 'Nested']);
    switch (o['kind']) {
      case 'Variable': return { kind: 'Variable', id: this.ident(o['id'], `${path}.id`, true) };
      case 'Resolved': return { kind: 'Resolved', id: this.ident(o['id'], `${path}.id`, true) };
      case 'Nested': return this.nested(path, () => ({ kind: 'Nested', name: this.name(o['name'], `${path}.name`) }));
      default: {
        const id = this.pid(o['id'], `${path}.id`);
        if (o['namespace'] === undefined) return { kind: 'AtomicName', id };
        const n = this.obj(o['namespace'], `${path}.namespace`, ['BuiltinNamespace', 'NamedNamespace']);
        const namespace: NamespaceId = n['kind'] === 'BuiltinNamespace'
          ? { kind: 'BuiltinNamespace', id: this.pid(n['id'], `${path}.namespace.id`) }
          : this.nested(path, () => ({ kind: 'NamedNamespace', ref: this.outputRef(n['ref'], `${path}.namespace.ref`) }));
        return { kind: 'AtomicName', namespace, id };
      }
    }
  }

  subst(v: unknown, path: string): Substitution {
    const o = this.obj(v, path, ['Substitution']);
    const ref = this.nameRef(o['ref'], `${path}.ref`);
    if (o['args'] === undefined) return { kind: 'Substitution', ref };
    return this.nested(path, () => {
      const formals = new Set<string>();
      const args = this.list(o['args'], `${path}.args`, true).map((a, i): Arg => {
        const at = `${path}.args[${i}]`;
        const x = this.obj(a, at, ['Arg']);
        const value = this.outputRef(x['value'], `${at}.value`);
        if (x['formal'] === undefined) return { kind: 'Arg', value };
        const formal = this.ident(x['formal'], `${at}.formal`);
        if (formals.has(formal.name)) this.fail(`${at}.formal`, `input \`${formal.name}\` is given twice`);
        formals.add(formal.name);
        return { kind: 'Arg', formal, value };
      });
      return { kind: 'Substitution', ref, args };
    });
  }

  outputRef(v: unknown, path: string): OutputRef {
    const o = this.obj(v, path, ['OutputRef']);
    const name = this.subst(o['name'], `${path}.name`);
    const output = o['output'] === undefined ? undefined : this.ident(o['output'], `${path}.output`);
    let projection: string[] | undefined;
    if (o['projection'] !== undefined) {
      projection = this.list(o['projection'], `${path}.projection`, true).map((s, i) => {
        if (typeof s !== 'string' || s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
          this.fail(`${path}.projection[${i}]`, `invalid path segment ${JSON.stringify(s)}`);
        }
        return s;
      });
    }
    return { kind: 'OutputRef', name, ...(output ? { output } : {}), ...(projection ? { projection } : {}) };
  }

  decls(v: unknown, path: string): Declaration[] {
    return this.list(v, path, true).map((d, i) => {
      const at = `${path}[${i}]`;
      const o = this.obj(d, at, ['Declaration']);
      const value = this.subst(o['value'], `${at}.value`);
      return o['binder'] === undefined ? { kind: 'Declaration', value } : { kind: 'Declaration', binder: this.ident(o['binder'], `${at}.binder`, true), value };
    });
  }

  name(v: unknown, path: string): Name {
    const o = this.obj(v, path, ['Tree', 'LetIn', 'Compose']);
    switch (o['kind']) {
      case 'Tree': return { kind: 'Tree', body: this.outputRef(o['body'], `${path}.body`) };
      case 'LetIn': return { kind: 'LetIn', declarations: this.decls(o['declarations'], `${path}.declarations`), body: this.outputRef(o['body'], `${path}.body`) };
      default: return { kind: 'Compose', declarations: this.decls(o['declarations'], `${path}.declarations`) };
    }
  }
}

/** Read the JSON form (the envelope, or a bare name object) back into an AST. Throws `NomiaError` (`json/invalid`). */
export function fromJson(input: unknown): Expression {
  const r = new Reader();
  let body = input;
  if (typeof input === 'object' && input !== null && 'format' in input) {
    const env = input as Record<string, unknown>;
    if (env['format'] !== JSON_FORMAT) r.fail('$.format', `unsupported format ${JSON.stringify(env['format'])}; this version reads "${JSON_FORMAT}"`);
    body = env['name'];
  }
  const o = r.obj(body, '$', ['Tree', 'LetIn', 'Compose', 'Replacement']);
  if (o['kind'] === 'Replacement') return { kind: 'Replacement', from: r.name(o['from'], '$.from'), to: r.name(o['to'], '$.to') };
  return r.name(o, '$');
}
