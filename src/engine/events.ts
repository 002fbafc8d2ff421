/**
 * Everything the engine reports, as one union (STYLE rule 13). The library
 * only emits; the CLI renders (plain lines, JSON lines, a live status line).
 */
import type { ErrorCode } from '../errors.js';
import type { Spelling } from '../graph/spell.js';
import type { NamespaceWarning } from '../namespace/types.js';

/** Which node an event is about. */
export interface NodeRef {
  /**
   * The node's id, unique in the run: the name's own nodes have their ids in its graph (`nomia graph`'s
   * `nN`); the nodes of a realize a namespace starts (`ctx.resolve`, an a-priori reduction) get the next
   * free ids, so no two nodes of one run share one.
   */
  readonly node: number;
  /** For a node of a realize a namespace started: the id of the node whose namespace started it. */
  readonly parent?: number;
  /** The node's atomic name, canonical text. */
  readonly label: string;
  /** Where it was written in the name, `line:column`. */
  readonly at?: string;
  /** The node's `label` parameter (what the step does, for people), when it has one. */
  readonly title?: string;
}

export type EngineEvent =
  /** A realize starts: the name is parsed, flattened and spelled; `parent` when a namespace started it (see `NodeRef.parent`). */
  | { readonly kind: 'resolving'; readonly name: string; readonly parent?: number }
  /**
   * A reduction from a node's spelling to a more refined name was recorded now (`source` is always
   * `recorded`: one found in the database is reported as a `cache-hit`).
   */
  | (NodeRef & { readonly kind: 'reduced'; readonly from: Spelling; readonly to: string; readonly source: 'recorded' })
  /** A node was satisfied from recorded reductions without running; `early` when only after its inputs were (early cutoff). */
  | (NodeRef & { readonly kind: 'cache-hit'; readonly spelling: Spelling; readonly to: string; readonly early: boolean })
  /**
   * The node's result came from a binary cache: the reduction from `spelling` to `to`, signed by the key
   * `signer`, and `objects` objects (`bytes` NAR bytes) that were not in the store yet.
   */
  | (NodeRef & { readonly kind: 'substituted'; readonly spelling: Spelling; readonly to: string; readonly cache: string; readonly signer: string; readonly objects: number; readonly bytes: number })
  /**
   * The node's objects are being downloaded from the binary cache `cache`; then `progress` in bytes, whose
   * `total` is the NAR bytes of the objects not in the store yet (at most one per 100 ms, the first and
   * the last always), then `substituted` or `cache-skipped`.
   */
  | (NodeRef & { readonly kind: 'fetching'; readonly cache: string })
  /**
   * Something a binary cache offered for the node was not used (untrusted, tampered, missing, down); it is
   * built instead. `hint`: what would make it usable (e.g. how to trust the key that signed it).
   */
  | (NodeRef & { readonly kind: 'cache-skipped'; readonly message: string; readonly hint?: string })
  /** The node's namespace runs. */
  | (NodeRef & { readonly kind: 'realizing'; readonly spelling: Spelling })
  /**
   * A dry run (`RealizeOptions.dryRun`): the node would run its namespace under `spelling`, or needs a
   * node that would (then `spelling` is absent: it cannot be spelled before that one runs).
   */
  | (NodeRef & { readonly kind: 'would-run'; readonly spelling?: Spelling })
  /** Waiting for another process realizing the same spelling. */
  | (NodeRef & { readonly kind: 'waiting'; readonly spelling: Spelling })
  /** A line of the node's log (from its namespace, or a namespace process's stderr). */
  | (NodeRef & { readonly kind: 'log'; readonly line: string })
  /** How far the node's namespace has come: `done` of `total` (absent: unknown) `unit`s; at most about ten a second per node. */
  | (NodeRef & { readonly kind: 'progress'; readonly done: number; readonly total?: number; readonly unit?: string })
  /** Something the user should know about the node (it may still succeed), from its namespace; also in its log. */
  | (NodeRef & { readonly kind: 'warning' } & NamespaceWarning)
  | (NodeRef & { readonly kind: 'ready'; readonly outputs: Readonly<Record<string, string>>; readonly ms: number })
  /** The node failed: `error` is the message, `code` its `NomiaError` code (`internal` for a bug). */
  | (NodeRef & { readonly kind: 'failed'; readonly error: string; readonly code: ErrorCode | 'internal' })
  /**
   * The whole name is realized (or was one lookup). `memo`: answered from the memo of whole names
   * (engine/memo.ts), nothing parsed or resolved; `daemon`: answered by a daemon (`realize --daemon`);
   * `wouldRun`: a dry run, and how many nodes would run (`ran` is 0; `roots` empty unless that is 0).
   */
  | { readonly kind: 'done'; readonly roots: readonly string[]; readonly ms: number; readonly ran: number; readonly reused: number; readonly memo?: true; readonly daemon?: true; readonly wouldRun?: number };

export type EventListener = (event: EngineEvent) => void;
