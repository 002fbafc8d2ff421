/**
 * A substitution's commits, in groups: the objects restored and checked
 * wait here and are registered together, in one transaction per group
 * (store/commit-group.ts tells the crash story), after one flush of their
 * trees when fsync is on. Objects are committed in the order they were
 * added, so an object added after the objects it refers to is committed
 * after them, in the same group or a later one.
 */
import type { CommitRequest, CommitResult } from '../store/commit.js';
import { commitObjects } from '../store/commit-group.js';
import type { Store } from '../store/store.js';

interface Waiting {
  readonly req: CommitRequest;
  readonly resolve: (r: CommitResult) => void;
  readonly reject: (e: unknown) => void;
}

/** Queued commits of one store; `drain` commits what is queued. */
export class CommitBatches {
  private queue: Waiting[] = [];
  private running: Promise<void> = Promise.resolve();

  /** `flush(dir)`: make every tree complete by now durable (the substitution's shared `sync -f`). */
  constructor(private readonly store: Store, private readonly flush: (dir: string) => Promise<void>) {}

  /** Objects waiting for their commit. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queue `req` (its tree complete); settles once the group it falls in is committed (or not). */
  add(req: CommitRequest): Promise<CommitResult> {
    return new Promise((resolve, reject) => this.queue.push({ req, resolve, reject }));
  }

  /** Commit everything queued now, after the groups before it; resolves when it is committed. */
  drain(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    this.running = this.running.then(() => this.commit(group));
    return this.running;
  }

  private async commit(group: readonly Waiting[]): Promise<void> {
    if (group.length === 0) return;
    try {
      // One flush for the group: every tree in it was complete before it starts.
      if (this.store.fsync) await this.flush(this.store.layout.tmpDir);
    } catch (e) {
      for (const w of group) w.reject(e);
      return;
    }
    let outcomes;
    try {
      outcomes = commitObjects(this.store, group.map((w) => w.req));
    } catch (e) {
      // Not expected (each object's failure is its own outcome), but then it is every one's, and the
      // groups after this one still run.
      for (const w of group) w.reject(e);
      return;
    }
    group.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.result);
      else w.reject(o.error);
    });
  }
}
