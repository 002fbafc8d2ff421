/**
 * The Namespace contract (DESIGN.md §5): what every namespace implements,
 * built in or behind the out-of-process protocol. The engine calls these;
 * a namespace sees nothing of the engine but the context it is handed.
 */
import type { GraphParam } from '../graph/types.js';
import type { Annotation } from '../resource/types.js';
import type { Store } from '../store/store.js';

/** One atomic name, as a namespace receives it: no graph, no positions. */
export interface AtomRequest {
  /** The namespace's own id and parameters as written (`private-filesystem?user=root`). */
  readonly namespace: { readonly id: string; readonly params: readonly GraphParam[] };
  readonly nameId: string;
  /** In written order. */
  readonly params: readonly GraphParam[];
}

export interface PortSignature {
  readonly type: string;
  readonly annotations?: readonly Annotation[];
}

/** What a name takes and gives, from `describe`. */
export interface Signature {
  /** Input ports by name (positional ports are "0", "1", …), or `any` to accept whatever is given. */
  readonly inputs: Readonly<Record<string, PortSignature>> | 'any';
  readonly outputs: Readonly<Record<string, PortSignature>>;
  /** The output a reference without `.output` means. */
  readonly defaultOutput: string;
  /** Depends on the caller's context (environment, time, files outside the store): never reused without realizing. */
  readonly contextual: boolean;
  /** Can be realized inside a cycle (ties the knot itself). */
  readonly tiesKnots?: boolean;
}

/**
 * A realized output. `name` is its most refined name, canonical text, e.g.
 * `filesystem:by-content?name=x&sha256=…`: the engine records the reduction
 * from the node's spelling to it, so the next realize is a lookup.
 */
export type Resource =
  | { readonly type: string; readonly kind: 'object'; readonly name: string; readonly path: string }
  | { readonly type: string; readonly kind: 'value'; readonly name: string; readonly value: string };

/** The caller's context, entered once per run (STYLE rule 11): one realize sees one time, env and cwd. */
export interface RunContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Unix ms, fixed at the start of the run. */
  readonly now: number;
  /** Reads standard input; at most once per run. */
  readonly stdin: () => AsyncIterable<Uint8Array>;
}

export interface RealizeContext {
  readonly store: Store;
  readonly context: RunContext;
  readonly signal: AbortSignal;
  /** A line for the log of this node (shown in the progress view, kept with the events). */
  log(line: string): void;
  /** Record that this node's output reduces to `toName` (a refinement learned on the way, e.g. latest → exact). */
  emitReduction(toName: string, output?: string): void;
  /**
   * Realize another name in the same run (recursive use: a namespace built on
   * others). Absent where the caller cannot offer it (a namespace process).
   */
  resolve?(name: string): Promise<readonly Resource[]>;
}

export interface Namespace {
  /** The id it is configured under. */
  readonly id: string;
  /**
   * Its spelling in the namespace of namespaces (DESIGN.md §3): `builtin:<id>@<major>`, or for an
   * external one its id and the hash of its executable. Part of every spelling of its names.
   */
  readonly spelling: string;
  describe(req: AtomRequest): Signature | Promise<Signature>;
  /** A reduction known before running anything, or undefined. */
  reduce?(req: AtomRequest, context: RunContext): Promise<string | undefined>;
  realize(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>>;
  /** Release what it holds (a child process). */
  close?(): Promise<void>;
}
