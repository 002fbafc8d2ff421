/**
 * Reading from caches during a realize (docs/cache.md): find a reduction
 * record signed by a trusted key, then bring its objects into the store
 * through the store's own import (`importNar`, store/import-export.ts), every byte
 * checked against the hash in the object's signed path before it is
 * committed, references first. What cannot be trusted is skipped with a
 * note, never followed: a record signed by another key, one made for
 * another store directory, a NAR whose hash differs (refused, nothing of it
 * stays), an object the cache lacks.
 */
import { NomiaError } from '../errors.js';
import { importNar, type ImportNarOptions } from '../store/import-export.js';
import { toHex } from '../store/hash.js';
import { parseObjectPath } from '../store/store-path.js';
import type { Store } from '../store/store.js';
import { parsePublicKey, type PublicKey } from './keys.js';
import { narPath, recordPath } from './paths.js';
import { CommitBatches } from './commit-batches.js';
import { groupFlush } from './group-flush.js';
import { RestorePool } from './restore-pool.js';
import type { RecordObject, SignedRecord } from './record.js';
import { checkRecord } from './record-check.js';
import { SignatureChecks } from './signature-checks.js';
import { counting, openTransport, type Transport, type TransportOptions } from './transport.js';

/** The caches and keys of a run (`--substituter`, `--trusted-key`, configuration). */
export interface CacheSettings {
  /** Cache URLs, asked in order. */
  readonly substituters: readonly string[];
  /** Public keys `name:base64` whose records are followed. */
  readonly trustedKeys: readonly string[];
  readonly timeoutMs?: number;
}

/** A record found and verified. */
export interface Found {
  readonly record: SignedRecord;
  /** The name of the key that signed it. */
  readonly signer: string;
  /** That key, `name:base64`: what a reduction taken from the record is recorded as signed by. */
  readonly key: string;
  /** The cache it came from. */
  readonly cache: string;
}

/** A found record with the cache to fetch its objects from. */
export interface Offer extends Found {
  readonly via: Transport;
}

/** The outcome of bringing a record's objects into the store. */
export interface Fetched {
  /** Objects added (the others were there already). */
  readonly added: number;
  /** NAR bytes downloaded. */
  readonly bytes: number;
}

/** How `Substituters.fetch` reports and holds. */
export interface FetchOptions {
  /** Called with the NAR bytes downloaded so far, and the NAR bytes of every object to download (the record's `narSize`s). */
  readonly progress?: (bytes: number, total: number) => void;
  /**
   * Hold an object (`<hash>-<name>`) against gc until the caller lets go, if it is registered; false if it
   * is not. Default: only check that it is registered (nothing held).
   */
  readonly hold?: (path: string) => boolean;
}

/** Why something a cache offered was not used, and what would make it usable; the engine reports it as a warning. */
export type Note = (message: string, hint?: string) => void;

/** Why a verified record is not taken (after `the record for SPELLING`), and how to have it taken. */
export interface Refusal {
  readonly why: string;
  readonly hint?: string;
}

/**
 * The caller's word on a verified record (the engine's trust rule: is its signer trusted for this
 * name's namespace?): undefined to take it, else why not, which is noted before the next cache is asked.
 */
export type Accept = (record: SignedRecord, key: string) => Refusal | undefined;

/**
 * What to say of a record signed as `signer` (the name in its signature) that no trusted key verifies:
 * no trusted key has that name (say how to trust it), or one does and the signature is not its (an
 * altered record, or another key of the same name).
 */
function untrusted(keys: readonly PublicKey[], signer: string): Refusal {
  const same = keys.find((k) => k.name === signer);
  if (same) {
    return {
      why: `is signed as ${signer}, but the trusted key ${same.text} does not verify it (the record was altered, or signed by another key named ${signer})`,
      hint: `compare your trusted key ${signer} with what \`nomia key public\` prints where the cache is pushed from`,
    };
  }
  return {
    why: `is signed by the key ${signer}, which is not a trusted key (trust ${signer}:BASE64, its public key, to follow it)`,
    hint: `if you trust ${signer}, ask the cache's owner for its public key (\`nomia key public\` prints it where the cache is pushed from) and add it: --trusted-key '${signer}:BASE64' for one command, or "trusted-public-keys": ["${signer}:BASE64"] in a project's nomia.json or in ~/.config/nomia/config.json (docs/cache.md, "Trust")`,
  };
}

export class Substituters {
  private readonly caches: Transport[];
  private readonly keys: PublicKey[];
  /** Whether each cache asked so far has its `nix-cache-info` (`isCache`). */
  private readonly cacheInfo = new Map<Transport, Promise<boolean>>();
  /** Caches found down in this run: said once, then skipped without a word. */
  private readonly down = new Set<Transport>();
  /** Signature checks, on libuv's thread pool for records that arrive together. */
  private readonly checks = new SignatureChecks();
  /** Threads that unpack NARs, started by the first big fetch of the run. */
  private pool: RestorePool | undefined;

  /** `open` reaches a cache by its URL (default `openTransport`; a test may wrap it). */
  constructor(settings: CacheSettings, open: (url: string, options: TransportOptions) => Transport = openTransport) {
    const options: TransportOptions = settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs };
    this.caches = settings.substituters.map((u) => open(u, options));
    this.keys = settings.trustedKeys.map(parsePublicKey);
  }

  /**
   * Whether `cache` is one, asked once per run at its first miss (a hit says so already): a wrong URL or
   * path answers every lookup with "not found", which would otherwise build everything without a word,
   * as Nix says `does not appear to be a binary cache`. A cache that cannot be asked counts as one here:
   * its next lookup finds it down.
   */
  private isCache(cache: Transport): Promise<boolean> {
    let known = this.cacheInfo.get(cache);
    if (!known) {
      known = cache.has('nix-cache-info').catch(() => true);
      this.cacheInfo.set(cache, known);
    }
    return known;
  }

  /** Whether there is any cache to ask. */
  get any(): boolean {
    return this.caches.length > 0;
  }

  /**
   * The first record from `spelling` signed by one of the keys, usable in `store` and taken by `accept`,
   * asking the caches in order; undefined if none has one. A cache that is down is noted once and then skipped.
   */
  async find(store: Store, spelling: string, note: Note, accept: Accept = () => undefined): Promise<Offer | undefined> {
    for (const cache of this.caches) {
      if (this.down.has(cache)) continue;
      let text: Buffer | undefined;
      try {
        text = await cache.get(recordPath(spelling));
      } catch (e) {
        if (!this.down.has(cache)) note(`${(e as Error).message}; not asked again in this run`);
        this.down.add(cache);
        continue;
      }
      if (!text) {
        if (!(await this.isCache(cache)) && !this.down.has(cache)) {
          note(`${cache.url} is not a binary cache: it has no nix-cache-info (check the URL); not asked again in this run`);
          this.down.add(cache);
        }
        continue;
      }
      const checked = await checkRecord(text, this.keys, this.checks);
      if (checked.kind === 'malformed' || checked.record.from !== spelling) {
        note(`${cache.url}: the record for ${spelling} is malformed; ignored`);
        continue;
      }
      const { record } = checked;
      if (checked.kind === 'untrusted') {
        const { why, hint } = untrusted(this.keys, record.sig.split(':')[0]!);
        note(`${cache.url}: the record for ${spelling} ${why}; ignored`, hint);
        continue;
      }
      const { signer } = checked;
      const bound = record.objects.some((o) => o.references.length > 0 || o.selfReference);
      if (bound && record.storeDir !== store.layout.storeDir) {
        note(`${cache.url}: the result for ${spelling} refers to store paths under ${record.storeDir}, not this store's ${store.layout.storeDir}; building instead`);
        continue;
      }
      const refused = accept(record, signer.text);
      if (refused !== undefined) {
        note(`${cache.url}: the record for ${spelling} ${refused.why}; ignored`, refused.hint);
        continue;
      }
      return { record, signer: signer.name, key: signer.text, cache: cache.url, via: cache };
    }
    return undefined;
  }

  /**
   * Bring the objects of a found record into `store`. Up to `PARALLEL` objects stream in at once, each
   * unpacked and hashed as its bytes arrive. A restored and checked object waits for its commit without
   * holding its place: the objects are committed in groups (`CommitBatches`: one flush to disk and one
   * transaction per group), each after the objects it refers to. Throws (`nar/corrupt` for a NAR whose
   * hash is not the signed one, `cache/io` for a missing or unreachable object) once the imports under
   * way have settled; objects committed before stay, each complete and checked, and nothing of the
   * refused one or of those waiting to be committed does (their trees are removed from tmp/ before this
   * settles).
   */
  async fetch(store: Store, found: Offer, options: FetchOptions = {}): Promise<Fetched> {
    const { progress, hold = (path: string) => store.db.object(path) !== undefined } = options;
    // Objects already here are held first: a concurrent gc is otherwise free to remove one after this
    // looked, before the reduction that needs it is recorded (or before an object referring to it is
    // imported). One that cannot be held (absent, or just removed) is fetched like the rest.
    // (A read first: an absent object, the common case, costs no write transaction.)
    const todo = found.record.objects.filter((o) => !(store.db.object(o.path) && hold(o.path)));
    // Settled once an object is queued for its commit (or has failed): an object referring to it is queued after it.
    const queued = new Map(todo.map((o) => [o.path, deferred()]));
    const flusher = groupFlush();
    const batches = new CommitBatches(store, flusher.flush);
    // Big closures are unpacked on other threads; for a few small objects starting them costs more than it saves.
    const total = todo.reduce((n, o) => n + o.narSize, 0);
    const restore = total >= WORKERS_FROM ? (this.pool ??= new RestorePool(WORKERS)) : undefined;
    let failure: unknown;
    let bytes = 0;
    /** Objects being fetched and restored (not yet queued for their commit, nor failed). */
    let restoring = 0;
    const add = (n: number): void => {
      bytes += n;
      progress?.(bytes, total);
    };
    // A group is committed when it is big enough, or when nothing else is being restored that could join it.
    const maybeDrain = (): void => {
      if (batches.queued > 0 && (batches.queued >= GROUP || restoring === 0)) void batches.drain();
    };
    const one = async (o: RecordObject, restored: () => void): Promise<void> => {
      const parsed = parseObjectPath(o.path)!;
      const hash = toHex(parsed.hash);
      const lacks = (): NomiaError => new NomiaError('cache/io', `${found.cache} lacks the object ${o.path} its record for ${found.record.from} names`, { hint: 'push the name again to repair the cache' });
      // What enters the store is what the trusted key signed (path, hence hash, and references come from the
      // record, not from the cache), and the import checks the NAR against the hash in the path.
      const item = { path: o.path, name: parsed.name, hash, references: o.references };
      const options: ImportNarOptions = {
        claimedBy: 'the signed record',
        beforeCommit: async () => {
          await Promise.all(o.references.map((r) => queued.get(r)?.promise));
          if (failure !== undefined) throw failure;
        },
        commit: (req) => {
          const committed = batches.add(req);
          queued.get(o.path)!.resolve();
          restored();
          return committed;
        },
      };
      if (restore && found.via.restoreNar) {
        // A restore thread fetches it: the bytes never come here (there is no stream to give the import).
        await importNar(store, item, NO_BYTES, { ...options, restore: async (_, dest) => (await found.via.restoreNar!(narPath(hash), dest, restore, add)) ?? Promise.reject(lacks()) });
      } else {
        const nar = await found.via.stream(narPath(hash));
        if (!nar) throw lacks();
        await importNar(store, item, counting(nar, add), {
          ...options,
          ...(restore ? { restore: (source: AsyncIterable<Uint8Array>, dest: string) => restore.restore(source, dest) } : {}),
        });
      }
      // The import pinned it for this process; the caller's hold is what it releases with the rest.
      if (!hold(o.path)) throw new NomiaError('cache/io', `${o.path} left the store as it was imported`, { hint: 'realize again' });
    };
    const imports: Promise<void>[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < todo.length) {
        const o = todo[next++]!;
        const mine = queued.get(o.path)!;
        let counted = true;
        restoring++;
        // Its place goes to the next object once it is queued for its commit, or has failed.
        const settled = deferred();
        const done = (): void => {
          if (counted) {
            counted = false;
            restoring--;
          }
          settled.resolve();
          maybeDrain();
        };
        imports.push(one(o, done).then(done, (e: unknown) => {
          failure ??= e;
          // Those waiting on it stop before their commit (they see the failure).
          mine.resolve();
          done();
        }));
        await settled.promise;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
      // Every import has its place settled; what is queued is committed now, and every commit awaited.
      maybeDrain();
      await Promise.all(imports);
    } finally {
      flusher.close();
    }
    if (failure !== undefined) throw failure;
    return { added: todo.length, bytes };
  }

  close(): void {
    for (const c of this.caches) c.close();
    this.pool?.close();
  }
}

/**
 * Objects streamed and restored at once. Enough to keep the network, the unpacking and the flushes busy
 * on two cores; each holds one connection and one file open.
 */
const PARALLEL = 4;

/** Objects committed in one transaction, at most (more wait for the next group). */
const GROUP = 64;

/** Restore threads: with the main thread receiving and committing, two keep two cores busy. */
const WORKERS = 2;
/** NAR bytes to fetch from which restores go to the threads. */
const WORKERS_FROM = 4 << 20;

/** The import's source when a restore thread fetches the NAR itself. */
const NO_BYTES: readonly Buffer[] = [];

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

