/**
 * The Namespace contract (DESIGN.md §5): what every namespace implements,
 * built in or behind the out-of-process protocol. The engine calls these;
 * a namespace sees nothing of the engine but the context it is handed.
 */
import type { Spelling } from '../graph/spell.js';
import type { GraphParam } from '../graph/types.js';
import type { Annotation, Resource } from '../resource/types.js';
import type { TreeState } from '../store/stat-cache.js';
import type { Store } from '../store/store.js';

export type { Resource } from '../resource/types.js';

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
  /**
   * Can be realized inside a cycle: the namespace ties the knot itself, with
   * `realizeKnot`, for a cycle whose members are all its own and all say so.
   */
  readonly tiesKnots?: boolean;
}


/** The caller's context, entered once per run (STYLE rule 11): one realize sees one time, env and cwd. */
export interface RunContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Unix ms, fixed at the start of the run. */
  readonly now: number;
  /** Reads standard input; at most once per run. */
  readonly stdin: () => AsyncIterable<Uint8Array>;
}

/**
 * What a namespace reports while it realizes a node. The engine forwards each
 * as an `EngineEvent` of the same kind for that node (JSON lines, the live
 * view); a namespace process sends them as `event` notifications.
 */
export type NamespaceEvent =
  /** A line for the node's log. */
  | { readonly kind: 'log'; readonly line: string }
  /**
   * How far the work has come: `done` of `total` `unit`s (`bytes`, `files`,
   * `steps`, …); `total` absent while unknown. Numbers are finite and not
   * negative (others are dropped). Send as often as you like: the engine
   * passes on at most about ten per second per node, and always the last
   * (`done === total`).
   */
  | { readonly kind: 'progress'; readonly done: number; readonly total?: number; readonly unit?: string }
  /** Something the user should know although the node may succeed; kept in the node's log too. */
  | ({ readonly kind: 'warning' } & NamespaceWarning);

/** The warnings a namespace can give, each `type` with its own fields; `message` says it all for people. */
export type NamespaceWarning =
  /**
   * A string argument mentions `$variable` that is neither an input, an
   * output nor in the command's environment: the shell expands it to
   * nothing (a missing input?). `where`: which argument, `args[2]`.
   */
  | { readonly type: 'unset-variable'; readonly variable: string; readonly where: string; readonly message: string }
  /**
   * A toolchain taken from the host's files rather than from packages (no
   * package database: `deb:host-files`); `paths`: the tools named.
   */
  | { readonly type: 'unpackaged-toolchain'; readonly paths: readonly string[]; readonly message: string };

/** Where a namespace sends its events. */
export interface EventSink {
  emit(event: NamespaceEvent): void;
}

export interface RealizeContext {
  readonly store: Store;
  readonly context: RunContext;
  readonly signal: AbortSignal;
  /** Typed events for this node: log lines and progress. */
  readonly events: EventSink;
  /** A line for the log of this node: short for `events.emit({kind: 'log', line})`. */
  log(line: string): void;
  /**
   * Record that this node's output reduces to `toName` (a refinement learned on the way, e.g. latest → exact).
   * When `toName` is a name of this same namespace and the node returns that output without realizing
   * `toName` through the engine, the output is recorded as `toName`'s result too: the namespace vouches that
   * realizing `toName` gives it (as `cc:compile` does for its exact compile). That row is written before the
   * node's own. A name of another namespace gets only the node's row (docs/engine.md, "Reductions").
   */
  emitReduction(toName: string, output?: string): void;
  /**
   * Realize another name in the same run (recursive use: a namespace built on
   * others). Absent where the caller cannot offer it (a namespace process).
   * `pure` refuses contextual names; `signal` ends the request early (its
   * asker is gone).
   */
  resolve?(name: string, options?: { readonly pure?: boolean; readonly signal?: AbortSignal }): Promise<readonly Resource[]>;
  /**
   * Declare the context a contextual node's result was made from: a file or
   * tree, as `importPath` stat-ed it before reading (`state`). A contextual
   * node that declares its whole context this way (and reads nothing else of
   * it: no environment, no clock, no network) lets the engine answer its whole
   * name from the memo while every declared path stats the same
   * (docs/engine.md, "The memo"); one that declares nothing is never memoized.
   * Absent where the caller keeps no memo.
   */
  dependsOn?(state: TreeState): void;
  /**
   * Declare that a contextual node's result holds only until `epochMs` even
   * while its declared files stat the same (the index it read is due for a
   * refresh then): the memo answers it only before that time. Declares no
   * context by itself (`dependsOn` does). Absent where the caller keeps no memo.
   */
  validUntil?(epochMs: number): void;
  /**
   * Say that this node runs no further command: the engine gives its job
   * slot back now, so the next command starts while this node stores and
   * records its results (`--jobs N` bounds the commands running, as ninja's
   * `-j` does). A namespace that runs no command at all (an import) calls it
   * first. Absent where the caller has no job slots.
   */
  commandsDone?(): void;
}

/** Where an input of a cycle's member comes from inside the cycle (`realizeKnot`). */
export interface KnotSource {
  /** The member feeding it: an index into the members given to `realizeKnot`. */
  readonly member: number;
  /** Which of its outputs (resolved: never absent). */
  readonly output: string;
  /** A path inside that output, if the name projects one (`$b/lib`). */
  readonly projection?: readonly string[];
}

/** One member of a cycle, as `realizeKnot` receives it. */
export interface KnotMember {
  readonly request: AtomRequest;
  /** Its inputs fed from outside the cycle, realized, by port. */
  readonly inputs: Readonly<Record<string, Resource>>;
  /** Its inputs fed from inside the cycle, by port: they do not exist yet; tying the knot makes them. */
  readonly knots: Readonly<Record<string, KnotSource>>;
}

/** A namespace's own spelling of a node (`Namespace.spell`). */
export type NodeSpelling =
  /**
   * Spell the node as if written with these parameters instead of its own
   * (in any order): the default spelling of its canonical form, so it agrees
   * with everything else that spells names by default.
   */
  | { readonly params: readonly GraphParam[] }
  /**
   * Spell the node `H("nomia-spelled-1", this namespace's spelling, text)`:
   * `text` is the canonical text of all that determines the result,
   * including whichever input spellings count. No two namespaces can share
   * such a spelling.
   */
  | { readonly text: string };

export interface Namespace {
  /** The id it is configured under. */
  readonly id: string;
  /**
   * Its spelling in the namespace of namespaces (DESIGN.md §3): `builtin:<id>@<major>`, or for an
   * external one its id and the hash of its executable. Part of every spelling of its names.
   */
  readonly spelling: string;
  describe(req: AtomRequest): Signature | Promise<Signature>;
  /**
   * The node's own spelling, for when the default (DESIGN.md §3: every
   * parameter and the spelling of whatever feeds every input) says more than
   * determines the result, e.g. a label for people or a flag that cannot
   * change the output. Answer undefined to keep the default, or
   * (`NodeSpelling`) a canonical form of the node: its parameters without
   * what does not count (then it is spelled exactly like the name written
   * with those parameters), or a canonical text of everything that counts
   * (for full control, e.g. to leave out an input). The answer is the node's
   * spelling wherever it counts: lookups, recorded reductions, locks, and
   * the spellings of every node it feeds (docs/spec/spelling.md).
   *
   * It must be a pure function of its arguments, and cheap: it is called
   * while resolving, with the spellings of the inputs as written, and again
   * after the inputs are realized, with the spellings of their refined
   * names (early cutoff). Not called for nodes inside a cycle: a cycle is
   * spelled as one unit.
   *
   * @param inputs the spelling of what feeds each input port (positional ports `"0"`, `"1"`, …)
   */
  spell?(req: AtomRequest, inputs: Readonly<Record<string, Spelling>>): NodeSpelling | undefined | Promise<NodeSpelling | undefined>;
  /**
   * Whether the name `req` (with the path `projection` inside it) stands for
   * a resource by itself, without running anything: an object named by its
   * content, a plain value. Answers the resource when it is present,
   * `'absent'` when the name is such a name but its resource is not (then
   * nothing can reduce it either), and undefined for every other name (the
   * engine then follows recorded reductions from it). The engine asks while
   * following a chain of reductions (`materialize`). It must be cheap and
   * synchronous, and run nothing; a namespace process cannot answer it.
   */
  terminal?(req: AtomRequest, projection: readonly string[], store: Store): Resource | 'absent' | undefined;
  /** A reduction known before running anything, or undefined. */
  reduce?(req: AtomRequest, context: RunContext): Promise<string | undefined>;
  realize(req: AtomRequest, inputs: Readonly<Record<string, Resource>>, ctx: RealizeContext): Promise<Readonly<Record<string, Resource>>>;
  /**
   * Realize a whole cycle at once: tie the knot. The engine calls it, instead
   * of `realize`, for a strongly connected component of the graph whose
   * members are all names of this namespace declaring `tiesKnots`, once
   * their inputs from outside the cycle are realized. Returns the outputs of
   * each member, in the order given; each output's name is its refined name
   * (by content, say), which the engine records under that member's
   * spelling (a cycle is spelled as one unit, docs/spec/spelling.md).
   * `ctx.emitReduction` is not available here. Absent: cycles are refused.
   */
  realizeKnot?(members: readonly KnotMember[], ctx: RealizeContext): Promise<readonly Readonly<Record<string, Resource>>[]>;
  /**
   * Collect what it keeps beside the store (a download cache) that nothing
   * can use any more. `nomia gc` calls it after the store's sweep, so a hint
   * of an object the sweep deleted can go too; `list-dead` only reports.
   * `swept` holds the store entries (names under the store directory) the
   * sweep deleted, or for `list-dead` would delete: count them as gone, or a
   * dry run reports less than the gc it stands for. What a running process
   * may still use must be kept (as the store keeps temporary roots). Absent:
   * it keeps nothing beside the store.
   */
  collectGarbage?(store: Store, action: 'delete' | 'list-dead', swept?: ReadonlySet<string>): Promise<CacheCollection>;
  /** Release what it holds (a child process). */
  close?(): Promise<void>;
}

/** What `Namespace.collectGarbage` removed (or, for a dry run, would remove). */
export interface CacheCollection {
  /** Paths relative to the store's home (`cache/deb/staged/…`). */
  readonly removed: readonly string[];
  /** The bytes of the removed files. */
  readonly bytesFreed: number;
  /** Entries kept because a running process may use them. */
  readonly inUse: number;
}
