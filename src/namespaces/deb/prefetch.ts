/**
 * A closure's downloads, overlapped with its unpacking: the package files
 * its exact names will need are downloaded in batches, one apt run after
 * another, in the order the engine realizes those names (the root's sorted
 * inputs), while the first batches are already being unpacked. The first
 * batch is small so that unpacking starts early; later ones grow, so that a
 * hundred packages cost a handful of apt runs.
 *
 * Nothing is downloaded until the first of those exact names is realized
 * (`awaitPrefetch`): the closure's root is looked up and asked of the binary
 * caches before its inputs are realized (DESIGN.md §7), and a root found
 * there needs no package file at all. An exact name whose file is in flight
 * waits for its batch, then takes the file from the staging area
 * (staging.ts). If a batch fails, the batches after it are not started, and
 * each exact name downloads its own file (which then reports the error).
 */
import { type RealizeContext, withWorkDir } from '../../namespace/index.js';
import { type AptState, type DebRef, download } from './apt.js';
import { exactName } from './names.js';
import { stage } from './staging.js';

/** The first batch's size; each next one doubles, up to MAX_BATCH. */
const FIRST_BATCH = 4;
const MAX_BATCH = 32;

/** Package files (by SHA-256) being downloaded by a closure in this process: settles when staged, or failed. */
const inFlight = new Map<string, Promise<void>>();

/** Package files (by SHA-256) of closures that download nothing until one of their exact names is realized: the start. */
const onDemand = new Map<string, () => void>();

/**
 * Wait until the package file `sha256` is no longer in flight (staged, or its batch failed); the first
 * exact name of a closure that is realized starts that closure's downloads.
 */
export async function awaitPrefetch(sha256: string): Promise<void> {
  onDemand.get(sha256)?.();
  await inFlight.get(sha256);
}

/** A closure's downloads: `settled` once every started batch has (never rejects); `stop()` starts no further batch. */
export interface Prefetch {
  settled(): Promise<void>;
  stop(): void;
}

/**
 * The downloads of a closure's package files `refs`, started when the first of its exact names is
 * realized (`awaitPrefetch`), of those that are then still `missing`; never, when its root is found
 * recorded or in a binary cache. `settled()` and `stop()` end the wait for that first name.
 */
export function prefetchOnDemand(ctx: RealizeContext, state: AptState, refs: readonly DebRef[], missing: (r: DebRef) => boolean): Prefetch {
  let started: ReturnType<typeof prefetch> | undefined;
  let stopped = false;
  const forget = (): void => {
    for (const r of refs) if (onDemand.get(r.sha256) === start) onDemand.delete(r.sha256);
  };
  const start = (): void => {
    forget();
    if (!stopped) started = prefetch(ctx, state, refs.filter(missing));
  };
  refs.forEach((r) => onDemand.set(r.sha256, start));
  return {
    settled: async () => {
      forget();
      await started?.done;
    },
    stop: () => {
      stopped = true;
      forget();
      started?.stop();
    },
  };
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0, size = FIRST_BATCH; at < items.length; at += size, size = Math.min(size * 2, MAX_BATCH)) out.push(items.slice(at, at + size));
  return out;
}

/**
 * Start downloading `refs` (the closure's files not stored or staged yet)
 * into the staging area. Returns at once: `done` settles when every batch
 * has (it never rejects: a failure is the exact names' to report), and
 * `stop()` starts no further batch (the closure failed).
 */
function prefetch(ctx: RealizeContext, state: AptState, refs: readonly DebRef[]): { readonly done: Promise<void>; stop(): void } {
  const ordered = [...refs].sort((a, b) => exactName('', a).localeCompare(exactName('', b)));
  if (ordered.length === 0) return { done: Promise.resolve(), stop: () => undefined };
  ctx.log(`downloading ${ordered.length} package files (${ordered.reduce((n, r) => n + r.size, 0)} bytes) while unpacking`);
  let failed = false;
  let chain = Promise.resolve();
  for (const batch of batches(ordered)) {
    const done = chain.then(async () => {
      if (failed) return;
      try {
        await withWorkDir(ctx.store, async (work) => {
          const files = await download(ctx, batch, work, { quiet: true });
          // Renamed into place whole: an exact name never sees half a download.
          for (const [ref, file] of files) stage(state.root, ref.sha256, file);
        });
      } catch {
        failed = true;
      }
    });
    for (const ref of batch) {
      inFlight.set(ref.sha256, done);
      void done.then(() => {
        if (inFlight.get(ref.sha256) === done) inFlight.delete(ref.sha256);
      });
    }
    chain = done;
  }
  return { done: chain, stop: () => void (failed = true) };
}
