/**
 * The messages of the namespace protocol `nomia-namespace/1`
 * (docs/spec/protocol.md), and the checks the client runs on every answer:
 * a namespace process is untrusted, so nothing it sends is used before its
 * shape is known. Shared by `client.ts` and `server.ts`.
 */
import type { Annotation } from '../../resource/types.js';
import type { GraphParam, Value } from '../../graph/types.js';
import type { AtomRequest, KnotMember, NamespaceEvent, NodeSpelling, PortSignature, Resource, RunContext, Signature } from '../types.js';

/** The protocol this implementation speaks; a peer with another major is refused. */
export const PROTOCOL = 'nomia-namespace/1';
export const PROTOCOL_MAJOR = 1;

/** JSON-RPC error codes with a meaning in this protocol. */
export const RpcErrors = {
  /** The method is not implemented (for `reduce`: the namespace never reduces). */
  MethodNotFound: -32601,
  /** The name, its parameters or its inputs are wrong: the user's to fix. */
  InvalidParams: -32602,
  /** The namespace tried and failed (a download, a build): its message says why. */
  Failed: -32000,
} as const;

/** The caller's context as sent: `stdin` stays with the engine. */
export interface WireContext {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Unix ms, fixed for the run. */
  readonly now: number;
}

export interface InitializeParams { readonly protocol: string }
/** Optional methods a server implements, announced in `initialize` (absent: false). */
export interface Capabilities {
  /** It answers `spell`: it spells (some of) its names itself. */
  readonly spell?: boolean;
  /** It answers `realizeKnot`: it realizes cycles of its names that declare `tiesKnots`. */
  readonly knots?: boolean;
}
export interface InitializeResult { readonly protocol: string; readonly id?: string; readonly version?: string; readonly capabilities?: Capabilities }
export interface SpellParams {
  readonly request: AtomRequest;
  /** The spelling (`nomia1-…`) of what feeds each input port. */
  readonly inputs: Readonly<Record<string, string>>;
}
/** The node's own spelling (`NodeSpelling`), or null for the default. */
export interface SpellResult { readonly spelling: NodeSpelling | null }
export interface ReduceParams { readonly request: AtomRequest; readonly context: WireContext }
export interface ReduceResult { readonly name: string | null }
export interface RealizeParams {
  readonly request: AtomRequest;
  readonly inputs: Readonly<Record<string, Resource>>;
  /** An empty directory the engine made for this call; object outputs are written under it. */
  readonly outDir: string;
  readonly context: WireContext;
}
/** An output as a namespace returns it: an object it wrote under outDir, or a value. */
export type WireOutput =
  | { readonly type: string; readonly kind: 'object'; readonly path: string; readonly name?: string }
  | { readonly type: string; readonly kind: 'value'; readonly value: string };
export interface WireReduction { readonly toName: string; readonly output?: string }
export interface RealizeResult {
  readonly outputs: Readonly<Record<string, WireOutput>>;
  readonly reductions?: readonly WireReduction[];
  readonly log?: readonly string[];
}
export interface KnotParams {
  readonly members: readonly KnotMember[];
  /** An empty directory the engine made for this call; every member's object outputs are written under it. */
  readonly outDir: string;
  readonly context: WireContext;
}
export interface KnotResult {
  /** One per member, in the order given. */
  readonly members: readonly { readonly outputs: Readonly<Record<string, WireOutput>> }[];
  readonly log?: readonly string[];
}
export interface LogParams { readonly line: string }
/**
 * `error.data` of a JSON-RPC error: what the user can do about it (`hint`),
 * the Nomia error code the failure keeps on the engine's side (`code`, one
 * of src/errors.ts), and what the namespace was doing (`trace`, innermost
 * first).
 */
export interface ErrorData { readonly hint?: string; readonly code?: string; readonly trace?: readonly string[] }

/** The major version of a protocol string `nomia-namespace/<major>[.<minor>]`, or undefined. */
export function protocolMajor(protocol: string): number | undefined {
  const m = /^nomia-namespace\/(\d+)(?:\.\d+)?$/.exec(protocol);
  return m ? Number(m[1]) : undefined;
}

/** The run context as sent over the wire (unset variables dropped). */
export function wireContext(c: RunContext): WireContext {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.env)) if (v !== undefined) env[k] = v;
  return { env, cwd: c.cwd, now: c.now };
}

/** An answer of the wrong shape; `at` is the path to the offending field, e.g. `result.outputs.out.kind`. */
export class ShapeError extends Error {
  constructor(readonly at: string, readonly expected: string, actual: unknown) {
    super(`${at} should be ${expected}, got ${describeJson(actual)}`);
  }
}

function describeJson(v: unknown): string {
  const text = JSON.stringify(v);
  if (text === undefined) return 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type Json = Record<string, unknown>;

function object(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(at, 'an object', v);
  return v as Json;
}

function string(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new ShapeError(at, 'a string', v);
  return v;
}

function optional<T>(v: unknown, at: string, check: (v: unknown, at: string) => T): T | undefined {
  return v === undefined ? undefined : check(v, at);
}

function array<T>(v: unknown, at: string, item: (v: unknown, at: string) => T): T[] {
  if (!Array.isArray(v)) throw new ShapeError(at, 'an array', v);
  return v.map((x, i) => item(x, `${at}[${i}]`));
}

function entries<T>(v: unknown, at: string, item: (v: unknown, at: string) => T): Record<string, T> {
  const o = object(v, at);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(o)) out[k] = item(x, `${at}.${k}`);
  return out;
}

const ANNOTATIONS: readonly string[] = ['relevant', 'affine', 'ordered'] satisfies Annotation[];

function port(v: unknown, at: string): PortSignature {
  const o = object(v, at);
  const type = string(o['type'], `${at}.type`);
  const annotations = optional(o['annotations'], `${at}.annotations`, (a, p) => array(a, p, (x, q) => {
    if (typeof x !== 'string' || !ANNOTATIONS.includes(x)) throw new ShapeError(q, `one of ${ANNOTATIONS.join(', ')}`, x);
    return x as Annotation;
  }));
  return annotations === undefined ? { type } : { type, annotations };
}

/** The result of `initialize`; throws `ShapeError`. */
export function parseInitializeResult(v: unknown): InitializeResult {
  const o = object(v, 'result');
  const protocol = string(o['protocol'], 'result.protocol');
  const id = optional(o['id'], 'result.id', string);
  const version = optional(o['version'], 'result.version', string);
  const capabilities = optional(o['capabilities'], 'result.capabilities', (c, at) => {
    const flags: { spell?: boolean; knots?: boolean } = {};
    for (const key of ['spell', 'knots'] as const) {
      const flag = object(c, at)[key];
      if (flag !== undefined && typeof flag !== 'boolean') throw new ShapeError(`${at}.${key}`, 'true, false or absent', flag);
      if (flag !== undefined) flags[key] = flag;
    }
    return flags;
  });
  return {
    protocol, ...(id === undefined ? {} : { id }), ...(version === undefined ? {} : { version }), ...(capabilities === undefined ? {} : { capabilities }),
  };
}

/** The result of `describe`: a `Signature` whose default output is one of its outputs; throws `ShapeError`. */
export function parseSignature(v: unknown): Signature {
  const o = object(v, 'result');
  const inputs = o['inputs'] === 'any' ? 'any' : entries(o['inputs'], 'result.inputs', port);
  const outputs = entries(o['outputs'], 'result.outputs', port);
  if (Object.keys(outputs).length === 0) throw new ShapeError('result.outputs', 'at least one output', o['outputs']);
  const defaultOutput = string(o['defaultOutput'], 'result.defaultOutput');
  if (!(defaultOutput in outputs)) throw new ShapeError('result.defaultOutput', `one of the outputs (${Object.keys(outputs).join(', ')})`, defaultOutput);
  if (typeof o['contextual'] !== 'boolean') throw new ShapeError('result.contextual', 'true or false', o['contextual']);
  const tiesKnots = o['tiesKnots'];
  if (tiesKnots !== undefined && typeof tiesKnots !== 'boolean') throw new ShapeError('result.tiesKnots', 'true, false or absent', tiesKnots);
  return { inputs, outputs, defaultOutput, contextual: o['contextual'], ...(tiesKnots === undefined ? {} : { tiesKnots }) };
}

function value(v: unknown, at: string, depth = 0): Value {
  const o = object(v, at);
  if (depth > 64) throw new ShapeError(at, 'a value nested less deeply', '…');
  if (o['kind'] === 'String') return { kind: 'String', value: string(o['value'], `${at}.value`) };
  if (o['kind'] === 'InputRef') return { kind: 'InputRef', input: string(o['input'], `${at}.input`) };
  if (o['kind'] === 'List') return { kind: 'List', items: array(o['items'], `${at}.items`, (x, p) => value(x, p, depth + 1)) };
  throw new ShapeError(`${at}.kind`, '"String", "List" or "InputRef"', o['kind']);
}

function param(v: unknown, at: string): GraphParam {
  const o = object(v, at);
  return { key: string(o['key'], `${at}.key`), value: value(o['value'], `${at}.value`) };
}

/** The result of `spell`; throws `ShapeError`. */
export function parseSpellResult(v: unknown): SpellResult {
  const s = object(v, 'result')['spelling'];
  if (s === null) return { spelling: null };
  const o = object(s, 'result.spelling');
  if ('text' in o) return { spelling: { text: string(o['text'], 'result.spelling.text') } };
  if ('params' in o) return { spelling: { params: array(o['params'], 'result.spelling.params', param) } };
  throw new ShapeError('result.spelling', '{"params": [...]}, {"text": "..."} or null', s);
}

/** The result of `reduce`; throws `ShapeError`. */
export function parseReduceResult(v: unknown): ReduceResult {
  const o = object(v, 'result');
  const name = o['name'];
  if (name !== null && typeof name !== 'string') throw new ShapeError('result.name', 'a name or null', name);
  return { name };
}

function output(v: unknown, at: string): WireOutput {
  const o = object(v, at);
  const type = string(o['type'], `${at}.type`);
  if (o['kind'] === 'object') {
    const path = string(o['path'], `${at}.path`);
    const name = optional(o['name'], `${at}.name`, string);
    return { type, kind: 'object', path, ...(name === undefined ? {} : { name }) };
  }
  if (o['kind'] === 'value') return { type, kind: 'value', value: string(o['value'], `${at}.value`) };
  throw new ShapeError(`${at}.kind`, '"object" or "value"', o['kind']);
}

function reduction(v: unknown, at: string): WireReduction {
  const o = object(v, at);
  const toName = string(o['toName'], `${at}.toName`);
  const out = optional(o['output'], `${at}.output`, string);
  return out === undefined ? { toName } : { toName, output: out };
}

/** The result of `realize` (paths and names are the client's to check further); throws `ShapeError`. */
export function parseRealizeResult(v: unknown): RealizeResult {
  const o = object(v, 'result');
  const outputs = entries(o['outputs'], 'result.outputs', output);
  const reductions = optional(o['reductions'], 'result.reductions', (x, at) => array(x, at, reduction));
  const log = optional(o['log'], 'result.log', (x, at) => array(x, at, string));
  return { outputs, ...(reductions === undefined ? {} : { reductions }), ...(log === undefined ? {} : { log }) };
}

/**
 * The params of an `event` notification, or undefined when malformed or of a kind this
 * implementation does not know (such an event is dropped: later minors may add kinds).
 */
export function parseEventParams(v: unknown): NamespaceEvent | undefined {
  const o = typeof v === 'object' && v !== null ? (v as Json) : undefined;
  if (o?.['kind'] === 'log') return typeof o['line'] === 'string' ? { kind: 'log', line: o['line'] } : undefined;
  if (o?.['kind'] !== 'progress') return undefined;
  const { done, total, unit } = o;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!count(done) || (total !== undefined && !count(total)) || (unit !== undefined && typeof unit !== 'string')) return undefined;
  return { kind: 'progress', done, ...(total === undefined ? {} : { total }), ...(unit === undefined ? {} : { unit }) };
}

/** The result of `realizeKnot` (paths are the client's to check further); throws `ShapeError`. */
export function parseKnotResult(v: unknown): KnotResult {
  const o = object(v, 'result');
  const members = array(o['members'], 'result.members', (m, at) => ({ outputs: entries(object(m, at)['outputs'], `${at}.outputs`, output) }));
  const log = optional(o['log'], 'result.log', (x, at) => array(x, at, string));
  return { members, ...(log === undefined ? {} : { log }) };
}

/** The params of a `log` notification, or undefined when malformed (such a line is dropped). */
export function parseLogParams(v: unknown): LogParams | undefined {
  const o = typeof v === 'object' && v !== null ? (v as Json) : undefined;
  return typeof o?.['line'] === 'string' ? { line: o['line'] } : undefined;
}
