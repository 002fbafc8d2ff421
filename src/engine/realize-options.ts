/**
 * What `realize` (realize.ts) takes and gives: its options, the session a
 * realize shares with those it starts, and its result. Kept apart from the
 * realize itself so that a caller (the CLI, the daemon, a namespace's
 * `ctx.resolve`) reads the contract without the machinery.
 */
import type { Substituters } from '../cache/substituters.js';
import type { Spelling } from '../graph/spell.js';
import type { Registry } from '../namespace/registry.js';
import type { RunContext } from '../namespace/types.js';
import type { Resource } from '../resource/types.js';
import type { Store } from '../store/store.js';
import type { TreeState } from '../store/stat-cache.js';
import type { EventListener } from './events.js';
import type { Dependencies, MemoKey, MemoMiss } from './memo.js';
import type { PrivateScopes } from './private-results.js';
import type { Protection } from './protect.js';
import type { ResolvedName } from './resolve.js';
import type { Slots } from './slots.js';

export interface RealizeOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly context: RunContext;
  /** Namespaces running at once; default 2 (this machine's cores). */
  readonly jobs?: number;
  /**
   * ninja's `-l N`: start no namespace while the system's load average is at least this and another is
   * running (slots.ts); absent or ≤ 0, no limit. Realizes this one starts share its slots, so its limit.
   */
  readonly maxLoad?: number;
  readonly onEvent?: EventListener;
  /**
   * A realize started by another (a namespace's `ctx.resolve`, an a-priori reduction): its `resolving` (what
   * was asked for) and its nodes' events go to `onEvent` as the outer run's do, but not its `done`, so a log
   * or a live view has one `done`, the outer run's, at its end. Set by the engine.
   */
  readonly nested?: boolean;
  /** The run-wide id of the node whose namespace started this (nested) realize; its events carry it as `parent`. Set by the engine. */
  readonly parent?: number;
  readonly signal?: AbortSignal;
  /** The name's text, for error excerpts. */
  readonly source?: string;
  /**
   * Refuse names with contextual parts (the caller's files, environment, stdin): set for requests from
   * sandboxed builds, which must not reach the host through the engine.
   */
  readonly pure?: boolean;
  /**
   * Run the nodes the name's results come from again, although a reduction is recorded (their inputs
   * are reused, as `nix-build --check` does): `rebuild` records the new results; `check` compares them
   * with the recorded ones and fails with `realize/not-reproducible` on a difference, keeping the record.
   */
  readonly redo?: 'rebuild' | 'check';
  /**
   * How many nodes may fail before nothing new starts (ninja's `-k N`): default 1, the first failure stops
   * the run; 0, never: every node that needs no failed one is realized (and its result recorded). A
   * failure counts once, at the node that failed, not at those that needed it. The realize still fails,
   * with the first failure's error, once what runs has finished. A realize this one starts (a namespace's
   * `ctx.resolve`, an a-priori reduction) stops at its first failure, which fails the node that asked.
   */
  readonly keepGoing?: number;
  /**
   * When the realize fails (the outermost one, not a dry run), called once before it throws, with each
   * root's resource that was realized, in the roots' order, and undefined for a root whose node failed,
   * needed one that did, or was never started: a front-end writes out what succeeded, as ninja leaves the
   * outputs of the edges that succeeded in a failed build. They are held as the realize's results are
   * (until it ends, or in `holdIn`).
   */
  readonly onFailedWith?: (roots: readonly (Resource | undefined)[]) => void;
  /**
   * Run nothing but contextual nodes (which read the caller's files): every other node that has no
   * recorded result (none in the store, none a binary cache gives, which is fetched as a build would)
   * reports `would-run`, and so does every node that needs one. The realize then returns no roots and
   * `wouldRun` (Nix's `--dry-run`, ninja's `-n`); when nothing would run, it is an ordinary realize.
   */
  readonly dryRun?: boolean;
  /** Job slots shared with the realize whose build asked for this one through the daemon; default `slots(jobs)`. */
  readonly slots?: Slots;
  /** The nodes being built by the builds that asked for this realize, outermost first: asking for one of them again is a cycle. */
  readonly building?: readonly { readonly spelling: Spelling; readonly label: string }[];
  /** Binary caches to ask before running a node (docs/cache.md); none when absent. */
  readonly substituters?: Substituters;
  /** What the realize this one serves (an a-priori reduction, a namespace's `ctx.resolve`) holds and has open; set by the engine. */
  readonly session?: RealizeSession;
  /**
   * Answer from the memo kept under this key (`memoKey`: the text, the caller's working directory and
   * configuration) when every file it was made from is unchanged, and keep one there after a realize
   * that may be memoized (engine/memo.ts). Absent: no memo.
   */
  readonly memo?: MemoKey;
  /**
   * The caller already checked the memo under `memo` in this process and it missed (`answerFromMemo`):
   * it is not checked again, and its stats serve the memo of nodes. Ignored for another key.
   */
  readonly memoMissed?: MemoMiss;
  /**
   * The files the caller read to make the name text (a front-end's manifest: `nomia ninja`'s build.ninja),
   * each stat-ed before it was read: a memo kept under `memo` holds only while they, too, stat the same.
   */
  readonly memoDependsOn?: readonly TreeState[];
  /**
   * Hold what the realize finds and makes in this `Protection` of the caller's (for `store`), which the
   * caller releases, rather than in one released when the realize ends: a front-end that writes the
   * results out and then roots them (cli/build-root.ts) leaves a gc no moment in between to take them.
   */
  readonly holdIn?: Protection;
}

/** What one realize and those it starts share (internal to the engine; callers leave `RealizeOptions.session` unset). */
export interface RealizeSession {
  readonly protection: Protection;
  readonly privateScopes: PrivateScopes;
  /** The files the contextual nodes of the realize (and those it starts) were made from. */
  readonly dependencies: Dependencies;
  /**
   * The next free node id of the run: each realize takes a block for its graph's nodes when it has resolved
   * it, so the outer name's nodes keep their graph ids (0…n-1) and a nested realize's never clash with them.
   */
  readonly nodeIds: { next: number };
}

export interface Realized {
  /** The results came from the memo (`RealizeOptions.memo`): nothing was parsed or resolved. */
  readonly memoized?: boolean;
  /** Absent when the whole name was one lookup (a graph-level reduction): nothing was resolved. */
  readonly resolved?: ResolvedName;
  /** One per root of the name, in order (none when a dry run found nodes that would run). */
  readonly roots: readonly Resource[];
  /** A dry run (`RealizeOptions.dryRun`): how many nodes would run; absent when none would. */
  readonly wouldRun?: number;
}
