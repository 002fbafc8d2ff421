/**
 * The store's SQLite database (WAL): which objects are registered, their
 * references, roots, and (for the engine) reductions.
 *
 * An object is *registered* once its row is committed; only then may anyone
 * rely on it. Every change that must agree with the file system (an add's
 * rename, gc's removal) runs inside `immediate()`, SQLite's write lock, so
 * that adds and gc never interleave between the rename and the row.
 */
import { pathToFileURL } from 'node:url';
import { closeSync, fsyncSync, openSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { NomiaStoreError } from '../errors.js';
import type { ContentHash } from './hash.js';
import { sleepSync } from './sleep-sync.js';

// Loaded with `require`: an `import` of a CommonJS package first scans its source for its exports, a few
// milliseconds of every command's start (the no-op realize's budget is a tenth of a second).
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

/**
 * Each migration brings the schema from its index to the next version
 * (`PRAGMA user_version`); a fresh database runs them all. Append only:
 * a released step is never edited, since stores out there already ran it.
 */
const MIGRATIONS: readonly string[] = [
  // 0 → 1: objects, references, roots, reductions.
  `
CREATE TABLE IF NOT EXISTS objects (
  path      TEXT PRIMARY KEY,   -- basename under store/: <base32 of hash>-<name>
  hash      TEXT NOT NULL,      -- SHA-256 of the NAR, lowercase hex
  name      TEXT NOT NULL,
  nar_size  INTEGER NOT NULL,
  added_at  INTEGER NOT NULL    -- unix ms
);
CREATE INDEX IF NOT EXISTS objects_hash ON objects(hash);
CREATE TABLE IF NOT EXISTS refs (
  referrer  TEXT NOT NULL,      -- objects.path
  reference TEXT NOT NULL,      -- objects.path
  PRIMARY KEY (referrer, reference)
);
CREATE INDEX IF NOT EXISTS refs_reference ON refs(reference);
CREATE TABLE IF NOT EXISTS roots (
  name       TEXT PRIMARY KEY,
  object     TEXT NOT NULL,     -- objects.path
  kind       TEXT NOT NULL CHECK (kind IN ('absolute', 'process', 'lease')),
  pid        INTEGER,           -- process roots: live while this process runs ...
  pid_start  INTEGER,           -- ... and still has this start time (pids are reused)
  expires_at INTEGER,           -- lease roots: live until this unix ms
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS temp_roots (
  object    TEXT NOT NULL,      -- held by an operation in flight
  pid       INTEGER NOT NULL,
  pid_start INTEGER NOT NULL,
  PRIMARY KEY (object, pid, pid_start)
);
CREATE TABLE IF NOT EXISTS reductions (
  from_spelling TEXT NOT NULL,
  namespace     TEXT NOT NULL,
  to_name       TEXT NOT NULL,
  kind          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (from_spelling, namespace)
);
`,
  // 1 → 2: the stat cache of imports (stat-cache.ts). Losing it costs a re-read, never a wrong answer.
  `
CREATE TABLE IF NOT EXISTS stat_cache (
  path      BLOB PRIMARY KEY,   -- the imported path, absolute, as bytes
  dev       INTEGER NOT NULL,   -- its lstat: device, inode, mode, size, mtime and ctime in ns
  ino       INTEGER NOT NULL,   --   (64-bit values stored as signed: only equality matters)
  mode      INTEGER NOT NULL,
  size      INTEGER NOT NULL,
  mtime_ns  INTEGER NOT NULL,
  ctime_ns  INTEGER NOT NULL,
  listing   BLOB,               -- directories: SHA-256 of every entry's name and stat below; else NULL
  hash      TEXT NOT NULL,      -- the NAR hash (objects.hash) of what was read
  nar_size  INTEGER NOT NULL,
  stamp_ns  INTEGER NOT NULL    -- the file system's clock before the stats were taken (the racy rule)
) WITHOUT ROWID;
`,
  // 2 → 3: who signed a reduction taken from a binary cache (src/cache/), and from which cache.
  `
CREATE TABLE IF NOT EXISTS reduction_signers (
  from_spelling TEXT NOT NULL,  -- a reduction taken from a binary cache: who signed it, and where it came from
  namespace     TEXT NOT NULL,
  signer        TEXT NOT NULL,
  source        TEXT NOT NULL,
  PRIMARY KEY (from_spelling, namespace)
);
`,
  // 3 → 4: the engine's memo of whole names (engine/memo.ts). Losing it costs one full realize.
  `
CREATE TABLE IF NOT EXISTS memos (
  key       TEXT PRIMARY KEY,   -- memoKey(): the name text, the working directory, the configuration
  results   TEXT NOT NULL,      -- JSON: the realize's results, as resources
  deps      TEXT NOT NULL,      -- JSON: every path the realize's contextual nodes read, with its stat state
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  // 4 → 5: what each node of a memoized realize gave, so that a changed file reruns only what it reaches
  // (engine/memo-nodes.ts). A table of its own: the memo's answer never reads it. None for memos recorded
  // before: they walk the whole name once.
  `
CREATE TABLE IF NOT EXISTS memo_nodes (
  key       TEXT PRIMARY KEY,   -- the memo's key
  nodes     TEXT NOT NULL       -- JSON: the graph's digest, each dependency's nodes, each node's outputs
) WITHOUT ROWID;
`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface ObjectRow {
  readonly path: string;
  readonly hash: ContentHash;
  readonly name: string;
  readonly narSize: number;
  readonly addedAt: number;
}

export type RootKind = 'absolute' | 'process' | 'lease';

export interface RootRow {
  readonly name: string;
  readonly object: string;
  readonly kind: RootKind;
  readonly pid?: number;
  readonly pidStart?: number;
  readonly expiresAt?: number;
  readonly createdAt: number;
}

/** A recorded reduction: the thing spelled `from` may be replaced by the name `to` (opaque text here). */
export interface ReductionRow {
  readonly from: string;
  /** The spelling of the namespace that emitted it, or `user` for an assertion. */
  readonly namespace: string;
  readonly to: string;
  readonly kind: 'a-priori' | 'realized' | 'asserted';
  readonly createdAt: number;
  /** A reduction substituted from a binary cache: the name of the key that signed it, and the cache. */
  readonly signed?: { readonly by: string; readonly from: string };
}

/**
 * What the stat cache knows of one imported path: its `lstat` when it was
 * last read (`listing` covers everything below a directory) and the hash of
 * what was read. Integers are the kernel's 64-bit values (see stat-cache.ts).
 */
export interface StatRow {
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly mode: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly listing: Buffer | undefined;
  readonly hash: ContentHash;
  readonly narSize: number;
  readonly stampNs: bigint;
}

export interface TempRootRow {
  readonly object: string;
  readonly pid: number;
  readonly pidStart: number;
}

interface RawReduction { from_spelling: string; namespace: string; to_name: string; kind: ReductionRow['kind']; created_at: number; signer: string | null; source: string | null }
const SELECT_REDUCTIONS = 'SELECT r.*, s.signer, s.source FROM reductions r LEFT JOIN reduction_signers s ON s.from_spelling = r.from_spelling AND s.namespace = r.namespace';
const toReduction = (r: RawReduction): ReductionRow => ({
  from: r.from_spelling, namespace: r.namespace, to: r.to_name, kind: r.kind, createdAt: r.created_at,
  ...(r.signer !== null && r.source !== null ? { signed: { by: r.signer, from: r.source } } : {}),
});

interface RawObject { path: string; hash: string; name: string; nar_size: number; added_at: number }
interface RawRoot { name: string; object: string; kind: RootKind; pid: number | null; pid_start: number | null; expires_at: number | null; created_at: number }

const toObject = (r: RawObject): ObjectRow => ({ path: r.path, hash: r.hash as ContentHash, name: r.name, narSize: r.nar_size, addedAt: r.added_at });
const toRoot = (r: RawRoot): RootRow => ({
  name: r.name, object: r.object, kind: r.kind, createdAt: r.created_at,
  ...(r.pid === null ? {} : { pid: r.pid }),
  ...(r.pid_start === null ? {} : { pidStart: r.pid_start }),
  ...(r.expires_at === null ? {} : { expiresAt: r.expires_at }),
});

/**
 * Free bytes below which an I/O failure of the database is taken for a full
 * disk. SQLite reports a full disk as SQLITE_FULL only when a write of the
 * database itself fails; growing the WAL index (shm) or the WAL fails as a
 * generic "disk I/O error", which must not send anyone to their backups.
 */
const NEARLY_FULL = 1 << 20;

function diskFull(dbPath: string): boolean {
  try {
    const s = statfsSync(dirname(dbPath));
    return s.bavail * s.bsize < NEARLY_FULL;
  } catch {
    return false;
  }
}

function noSpace(path: string, cause: unknown): NomiaStoreError {
  return new NomiaStoreError('store/no-space', `no space left on the device for the store database (${path})`, {
    path, cause, hint: 'free some space on that file system (e.g. `nomia gc`, or delete other files) and try again; nothing needs restoring',
  });
}

/** SQLite's failures as store errors; anything else passes through. */
function sqliteError(e: unknown, path: string): unknown {
  if (!(e instanceof Sqlite.SqliteError)) return e;
  if (e.code === 'SQLITE_FULL' || (e.code.startsWith('SQLITE_IOERR') && diskFull(path))) return noSpace(path, e);
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
    return new NomiaStoreError('store/locked', `the store database is locked by another process (${path})`, {
      path, cause: e, hint: 'another nomia holds it for a long operation; try again when it has finished',
    });
  }
  if (e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_CANTOPEN' || e.code === 'SQLITE_PERM') {
    return new NomiaStoreError('store/read-only', `cannot write the store database (${path}): ${e.message}`, {
      path, cause: e, hint: 'use a store you can write (`--store DIR` or NOMIA_HOME)',
    });
  }
  return new NomiaStoreError('store/corrupt', `the store database failed (${path}): ${e.message}`, {
    path, cause: e, hint: 'run `nomia verify`',
  });
}

interface RawStat { dev: bigint; ino: bigint; mode: bigint; size: bigint; mtime_ns: bigint; ctime_ns: bigint; listing: Buffer | null; hash: string; nar_size: bigint; stamp_ns: bigint }

/** SQLite integers are signed 64-bit; the kernel's are unsigned. The bits are kept, which is all equality needs. */
const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/**
 * SQLite takes `file:` URIs only when configured so before its first connection in the process;
 * better-sqlite3 reads that switch from the environment when it loads, at the first construction.
 * Set it only for that moment, so that builds started later do not inherit it.
 */
function connect(filename: string, options: Database.Options): Database.Database {
  const had = process.env['SQLITE_USE_URI'];
  process.env['SQLITE_USE_URI'] = '1';
  try {
    return new Sqlite(filename, options);
  } finally {
    if (had === undefined) delete process.env['SQLITE_USE_URI'];
    else process.env['SQLITE_USE_URI'] = had;
  }
}

/**
 * A read-only connection, for a store this process may read but not write. SQLite needs the WAL's
 * `-shm` file to read a WAL database; when no writer has it open (the file is then absent) and this
 * process cannot create it (a directory of another user, a read-only mount), the file is opened as
 * immutable: the database file alone is then the whole, committed state (a writer's changes reach it
 * only at a checkpoint, which a reader opened meanwhile does not see).
 */
function connectReadOnly(path: string): Database.Database {
  try {
    const db = connect(path, { readonly: true, fileMustExist: true, timeout: 120_000 });
    db.pragma('user_version');
    return db;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw e;
    return connect(`${pathToFileURL(path).href}?immutable=1`, { readonly: true, fileMustExist: true });
  }
}

/** Per database file, the read-only connection `keepLogOpen` keeps for the rest of this process. */
const keepers = new Map<string, Database.Database>();

/**
 * Keep the write-ahead log of `path` when this process's writing connection to it closes: SQLite's last
 * connection to a WAL database checkpoints the whole log into the database file and deletes it (two
 * fsyncs, and the next writer's first commit makes a new log and syncs its header and directory: four
 * fsyncs for every short-lived nomia, tens of milliseconds on a busy disk). A connection checkpoints on
 * close only when it can take the database file's exclusive lock, which an open connection of this
 * process holding its shared lock (every WAL connection keeps one once it has read) denies it. So this
 * opens one read-only connection, reads once, and leaves it open until the process exits; a read-only
 * connection never checkpoints on its own close. The log then stays, as after a crash, and the next
 * process to open the store reads it back (SQLite's WAL recovery: the frames since the last automatic
 * checkpoint, at most about 1000 pages). Failing to open it only costs the checkpoint.
 */
function keepLogOpen(path: string): void {
  if (keepers.has(path)) return;
  try {
    const keeper = connect(path, { readonly: true, fileMustExist: true });
    keeper.pragma('user_version');
    keepers.set(path, keeper);
  } catch {
    // The close checkpoints, as SQLite does by default.
  }
}

/**
 * Run the set-up of a new connection again while SQLite answers SQLITE_BUSY, for up to two minutes (the
 * connection's own busy timeout). Two processes that open a new store at once both turn it to WAL mode, which
 * takes the database's exclusive lock; SQLite then refuses one of them at once rather than call its busy handler
 * (each holds the shared lock the other must wait out, so waiting could deadlock). The refused one has taken no
 * lock when the error returns, so trying again is safe; each step is idempotent.
 */
function whileBusy(setUp: () => void): void {
  const until = Date.now() + 120_000;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      setUp();
      return;
    } catch (e) {
      if (!String((e as { code?: string }).code).startsWith('SQLITE_BUSY') || Date.now() > until) throw e;
      sleepSync(pause);
    }
  }
}

export interface DatabaseOptions {
  /** fsync every commit (FULL), so a registration or deletion survives a power loss once it returns (default true). */
  readonly durable?: boolean;
  /** Open for reading only: no schema set-up, no write lock; any write fails as `store/read-only`. */
  readonly readOnly?: boolean;
}

export class StoreDatabase {
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: preparing costs more than running most of ours. */
  private readonly statements = new Map<string, Database.Statement>();
  readonly readOnly: boolean;
  private readonly durable: boolean;

  constructor(path: string, options: DatabaseOptions = {}) {
    const { durable = true, readOnly = false } = options;
    this.readOnly = readOnly;
    this.durable = durable;
    try {
      if (readOnly) {
        this.db = connectReadOnly(path);
        this.checkVersion(this.db.pragma('user_version', { simple: true }) as number);
        return;
      }
      this.db = connect(path, { timeout: 120_000 });
      whileBusy(() => {
        this.db.pragma('journal_mode = WAL');
        // NORMAL survives process crashes but may lose the newest commits on a power loss, after gc has
        // already deleted the files of objects whose unregistration is lost: only with fsync off.
        this.db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
        this.migrate();
      });
    } catch (e) {
      if (e instanceof NomiaStoreError) throw e;
      const code = String((e as { code?: string }).code);
      if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && diskFull(path))) throw noSpace(path, e);
      const message = (e as Error).message;
      const readOnlyError = /readonly|read-only|unable to open|SQLITE_CANTOPEN|SQLITE_READONLY/i.test(message + String((e as { code?: string }).code));
      throw new NomiaStoreError(readOnlyError ? 'store/read-only' : 'store/corrupt', `cannot open the store database ${path}: ${message}`, {
        path, cause: e,
        hint: readOnlyError ? 'use a store you can write (`--store DIR` or NOMIA_HOME)' : 'run `nomia verify` or restore the database from a backup',
      });
    }
  }

  private checkVersion(version: number): void {
    if (version > SCHEMA_VERSION) {
      throw new NomiaStoreError('store/corrupt', `the store database has schema version ${version}; this nomia knows up to ${SCHEMA_VERSION}`, {
        hint: 'upgrade nomia',
      });
    }
    if (version < SCHEMA_VERSION && this.readOnly) {
      throw new NomiaStoreError('store/read-only', `the store database ${this.db.name} is not set up, and this process may not write it`, {
        hint: 'run any nomia command on it once as a user who can write it',
      });
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    this.checkVersion(version);
    if (version < SCHEMA_VERSION) {
      this.db.transaction(() => {
        for (const step of MIGRATIONS.slice(version)) this.db.exec(step);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    }
  }

  private prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * Close the connection without checkpointing the write-ahead log (`keepLogOpen`): every commit is already
   * durable in the log (fsynced at commit, or deliberately not for volatile writes), so a checkpoint on
   * close buys no safety; SQLite's automatic checkpoint moves the log into the database file as it grows.
   */
  close(): void {
    if (!this.readOnly) keepLogOpen(this.db.name);
    this.db.close();
  }

  /**
   * Run `fn` holding SQLite's write lock (BEGIN IMMEDIATE); waits for other writers. On a read-only
   * connection `fn` runs in a read transaction instead: its reads see one state, a write fails as
   * `store/read-only` (so read-only commands share the code paths of the others). `flush: false` skips
   * the fsync of this commit, for writes a power loss may lose harmlessly (a temporary root dies with its
   * process anyway); do not nest it in another transaction.
   */
  immediate<T>(fn: () => T, options: { readonly flush?: boolean } = {}): T {
    const run = (): T => {
      try {
        return this.readOnly ? this.db.transaction(fn).deferred() : this.db.transaction(fn).immediate();
      } catch (e) {
        throw sqliteError(e, this.db.name);
      }
    };
    if (options.flush === false && !this.readOnly) return this.unflushed(run);
    // In a batch (group commit) a commit that would be flushed is flushed by `endBatch`, with the others.
    if (options.flush === undefined && this.batches > 0 && this.durable && !this.readOnly && !this.db.inTransaction) return this.grouped(run);
    return run();
  }

  private batches = 0;
  private pending = false;

  /**
   * Group commit: until the matching `endBatch`, commits that would each be
   * flushed (fsync of the write-ahead log) are not; `endBatch` flushes them
   * all with one fsync. Batches nest and may overlap (a daemon's realizes).
   *
   * Crash story: a killed process loses nothing (its commits are in the
   * kernel's cache). A power loss before `endBatch` may lose the batch's
   * newest commits, never one without those before it (the log is replayed
   * up to its first torn frame), and never leaves a row whose files are not
   * on disk (an object's tree and store/ are synced before its commit,
   * commit.ts). The commits run with `synchronous = NORMAL`, which in WAL
   * mode still syncs around checkpoints, so the database is never corrupt.
   */
  beginBatch(): void {
    this.batches++;
  }

  /** End a batch: make every commit so far durable with one fsync of the log (when any was left unflushed). */
  endBatch(): void {
    this.batches = Math.max(0, this.batches - 1);
    if (!this.pending) return;
    this.pending = false;
    try {
      const fd = openSync(`${this.db.name}-wal`, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      // No log (checkpointed and truncated meanwhile: what it held was synced then).
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw sqliteError(e, this.db.name);
    }
  }

  /** Run a commit of a batch: synced at its end (`endBatch`), not now. */
  private grouped<T>(f: () => T): T {
    this.prepare('PRAGMA synchronous = NORMAL').run();
    try {
      const r = f();
      this.pending = true;
      return r;
    } finally {
      this.prepare('PRAGMA synchronous = FULL').run();
    }
  }

  /**
   * Run `f` with this connection's commits not flushed to disk (prepared PRAGMAs: thousands of imports ask).
   * `NORMAL`, not `OFF`: in WAL mode both skip the fsync at commit, but `OFF` also skips it before a
   * checkpoint copies the log into the database file, so a power loss could leave that file corrupt;
   * `NORMAL` can only lose the last commits (SQLite's documentation of `synchronous`).
   */
  private unflushed<T>(f: () => T): T {
    this.prepare('PRAGMA synchronous = NORMAL').run();
    try {
      return f();
    } finally {
      this.prepare(`PRAGMA synchronous = ${this.durable ? 'FULL' : 'NORMAL'}`).run();
    }
  }

  /**
   * Like `immediate`, for writes that need not survive a power loss (temporary
   * roots: they die with the process anyway): the commit is not flushed, which
   * makes it cheap enough to take per object a realize touches. Other
   * processes see it at once, as any commit.
   */
  volatile<T>(fn: () => T): T {
    return this.immediate(fn, { flush: false });
  }


  object(path: string): ObjectRow | undefined {
    const r = this.prepare('SELECT * FROM objects WHERE path = ?').get(path) as RawObject | undefined;
    return r && toObject(r);
  }

  objectsWithHash(hash: ContentHash): ObjectRow[] {
    return (this.prepare('SELECT * FROM objects WHERE hash = ? ORDER BY path').all(hash) as RawObject[]).map(toObject);
  }

  objects(): ObjectRow[] {
    return (this.prepare('SELECT * FROM objects ORDER BY path').all() as RawObject[]).map(toObject);
  }

  insertObject(row: ObjectRow, references: readonly string[]): void {
    this.prepare('INSERT INTO objects (path, hash, name, nar_size, added_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.path, row.hash, row.name, row.narSize, row.addedAt);
    const ref = this.prepare('INSERT OR IGNORE INTO refs (referrer, reference) VALUES (?, ?)');
    for (const r of references) ref.run(row.path, r);
  }

  deleteObject(path: string): void {
    this.prepare('DELETE FROM refs WHERE referrer = ?').run(path);
    this.prepare('DELETE FROM temp_roots WHERE object = ?').run(path);
    this.prepare('DELETE FROM objects WHERE path = ?').run(path);
  }

  /** Add references of an existing object (found by scanning it after it was registered). */
  addReferences(path: string, references: readonly string[]): void {
    const ref = this.prepare('INSERT OR IGNORE INTO refs (referrer, reference) VALUES (?, ?)');
    for (const r of references) ref.run(path, r);
  }

  /** Every registered object path, without the rest of its row (for scans over the whole store). */
  objectPaths(): string[] {
    return this.db.prepare('SELECT path FROM objects ORDER BY path').pluck().all() as string[];
  }

  /**
   * The registered objects whose path starts with the hash part `part` (objects with the same content
   * and other names share one), sorted: a range of the primary key, whatever the store's size.
   */
  objectsWithHashPart(part: string): string[] {
    // `-` ends a hash part and `.` is the character after it: the range holds exactly `<part>-…`.
    return this.prepare('SELECT path FROM objects WHERE path > ? AND path < ? ORDER BY path').pluck().all(`${part}-`, `${part}.`) as string[];
  }

  /** The objects `path` refers to, sorted (itself included, for a self-reference). */
  references(path: string): string[] {
    // Plucked: a walk over a closure asks once per object, and the rows' objects would cost more than the query.
    return this.prepare('SELECT reference FROM refs WHERE referrer = ? ORDER BY reference').pluck().all(path) as string[];
  }

  /** The objects that refer to `path`, sorted (itself included, for a self-reference). */
  referrers(path: string): string[] {
    return this.prepare('SELECT referrer FROM refs WHERE reference = ? ORDER BY referrer').pluck().all(path) as string[];
  }

  /**
   * The references of many objects at once, as `[referrer, reference]` pairs sorted by both: one query
   * for a whole level of a search instead of one per object.
   */
  referencesOfAll(paths: readonly string[]): [string, string][] {
    return this.prepare('SELECT referrer, reference FROM refs WHERE referrer IN (SELECT value FROM json_each(?)) ORDER BY referrer, reference').raw().all(JSON.stringify(paths)) as [string, string][];
  }

  /** The referrers of many objects at once, as `[reference, referrer]` pairs sorted by both. */
  referrersOfAll(paths: readonly string[]): [string, string][] {
    return this.prepare('SELECT reference, referrer FROM refs WHERE reference IN (SELECT value FROM json_each(?)) ORDER BY reference, referrer').raw().all(JSON.stringify(paths)) as [string, string][];
  }

  allReferences(): { referrer: string; reference: string }[] {
    return this.prepare('SELECT referrer, reference FROM refs').all() as { referrer: string; reference: string }[];
  }

  roots(): RootRow[] {
    return (this.prepare('SELECT * FROM roots ORDER BY name').all() as RawRoot[]).map(toRoot);
  }

  root(name: string): RootRow | undefined {
    const r = this.prepare('SELECT * FROM roots WHERE name = ?').get(name) as RawRoot | undefined;
    return r && toRoot(r);
  }

  /** Create or replace the root called `row.name`. */
  putRoot(row: RootRow): void {
    this.prepare('INSERT OR REPLACE INTO roots (name, object, kind, pid, pid_start, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(row.name, row.object, row.kind, row.pid ?? null, row.pidStart ?? null, row.expiresAt ?? null, row.createdAt);
  }

  /** Remove a root; false if there was none by that name. */
  deleteRoot(name: string): boolean {
    return this.prepare('DELETE FROM roots WHERE name = ?').run(name).changes > 0;
  }

  private reductionsQuery?: string;

  /** Reductions with their signers; a store opened read-only that predates signers has none. */
  private selectReductions(): string {
    this.reductionsQuery ??= this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reduction_signers'").get() === undefined
      ? 'SELECT r.*, NULL AS signer, NULL AS source FROM reductions r'
      : SELECT_REDUCTIONS;
    return this.reductionsQuery;
  }

  /** Every recorded reduction from `from`, newest first. */
  reductionsFrom(from: string): ReductionRow[] {
    return (this.prepare(`${this.selectReductions()} WHERE r.from_spelling = ? ORDER BY r.created_at DESC`).all(from) as RawReduction[]).map(toReduction);
  }

  /** Every recorded reduction, by spelling, newest first within one (for queries over the whole database). */
  reductions(): ReductionRow[] {
    return (this.prepare(`${this.selectReductions()} ORDER BY r.from_spelling, r.created_at DESC`).all() as RawReduction[]).map(toReduction);
  }

  /** The reductions to the name `to`, from any spelling. */
  reductionsTo(to: string): ReductionRow[] {
    return (this.prepare(`${this.selectReductions()} WHERE r.to_name = ? ORDER BY r.created_at DESC`).all(to) as RawReduction[]).map(toReduction);
  }

  /**
   * The memo under `key` (engine/memo.ts), as stored. `deps` is the buffer engine/memo-deps.ts writes (a
   * blob in the column the schema calls JSON; a row of an older format is text, under keys no longer asked).
   */
  memo(key: string): { readonly results: string; readonly deps: Buffer | string } | undefined {
    return this.prepare('SELECT results, deps FROM memos WHERE key = ?').get(key) as { results: string; deps: Buffer | string } | undefined;
  }

  /** Only the results of the memo under `key` (its dependencies are not read). */
  memoResults(key: string): string | undefined {
    return (this.prepare('SELECT results FROM memos WHERE key = ?').get(key) as { results: string } | undefined)?.results;
  }

  /** The dependencies and per-node record of the memo under `key` (engine/memo-nodes.ts); `nodes` null when none was kept. */
  memoNodes(key: string): { readonly deps: Buffer | string; readonly nodes: string | null } | undefined {
    return this.prepare('SELECT m.deps, n.nodes FROM memos m LEFT JOIN memo_nodes n ON n.key = m.key WHERE m.key = ?').get(key) as { deps: Buffer | string; nodes: string | null } | undefined;
  }

  /** Record (or replace) a memo. Not flushed: a memo lost by a power loss costs one full realize. */
  putMemo(key: string, results: string, deps: Buffer, nodes?: string): void {
    const insert = this.prepare('INSERT OR REPLACE INTO memos (key, results, deps, created_at) VALUES (?, ?, ?, ?)');
    const insertNodes = this.prepare('INSERT OR REPLACE INTO memo_nodes (key, nodes) VALUES (?, ?)');
    const dropNodes = this.prepare('DELETE FROM memo_nodes WHERE key = ?');
    this.unflushed(() => {
      try {
        insert.run(key, results, deps, Date.now());
        // A per-node record of an earlier realize must not pair with this memo's dependencies.
        if (nodes === undefined) dropNodes.run(key);
        else insertNodes.run(key, nodes);
      } catch (e) {
        throw sqliteError(e, this.db.name);
      }
    });
  }

  /** Every memo's key and results, as stored (for gc: memos-gc.ts). */
  memosResults(): { readonly key: string; readonly results: string }[] {
    return this.prepare('SELECT key, results FROM memos').all() as { key: string; results: string }[];
  }

  /** Forget the memos under `keys`, with their per-node records. */
  deleteMemosOf(keys: readonly string[]): void {
    const memo = this.prepare('DELETE FROM memos WHERE key = ?');
    const nodes = this.prepare('DELETE FROM memo_nodes WHERE key = ?');
    for (const key of keys) {
      memo.run(key);
      nodes.run(key);
    }
  }

  /** Forget every memo: what a whole name realizes to may have changed (a reduction replaced or removed). */
  deleteMemos(): void {
    this.prepare('DELETE FROM memos').run();
    this.prepare('DELETE FROM memo_nodes').run();
  }

  /** Remove the reduction from `from` recorded under `namespace`; false if there was none. Forgets every memo. */
  deleteReduction(from: string, namespace: string): boolean {
    this.deleteMemos();
    this.prepare('DELETE FROM reduction_signers WHERE from_spelling = ? AND namespace = ?').run(from, namespace);
    return this.prepare('DELETE FROM reductions WHERE from_spelling = ? AND namespace = ?').run(from, namespace).changes > 0;
  }

  /** Record (or replace, per emitting namespace) a reduction. */
  putReduction(row: ReductionRow): void {
    this.prepare('INSERT OR REPLACE INTO reductions (from_spelling, namespace, to_name, kind, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(row.from, row.namespace, row.to, row.kind, row.createdAt);
    // A row recorded again here (built, asserted) is no longer the cache's: its signer goes with the old row.
    if (row.signed) {
      this.prepare('INSERT OR REPLACE INTO reduction_signers (from_spelling, namespace, signer, source) VALUES (?, ?, ?, ?)').run(row.from, row.namespace, row.signed.by, row.signed.from);
    } else {
      this.prepare('DELETE FROM reduction_signers WHERE from_spelling = ? AND namespace = ?').run(row.from, row.namespace);
    }
  }

  tempRoots(): TempRootRow[] {
    return (this.prepare('SELECT object, pid, pid_start FROM temp_roots').all() as { object: string; pid: number; pid_start: number }[])
      .map((r) => ({ object: r.object, pid: r.pid, pidStart: r.pid_start }));
  }

  hasTempRoot(row: TempRootRow): boolean {
    return this.prepare('SELECT 1 FROM temp_roots WHERE object = ? AND pid = ? AND pid_start = ?').get(row.object, row.pid, row.pidStart) !== undefined;
  }

  /** The temporary roots on `object`, of any process. */
  tempRootsOn(object: string): TempRootRow[] {
    return (this.prepare('SELECT object, pid, pid_start FROM temp_roots WHERE object = ?').all(object) as { object: string; pid: number; pid_start: number }[])
      .map((r) => ({ object: r.object, pid: r.pid, pidStart: r.pid_start }));
  }

  addTempRoot(row: TempRootRow): void {
    this.prepare('INSERT OR IGNORE INTO temp_roots (object, pid, pid_start) VALUES (?, ?, ?)').run(row.object, row.pid, row.pidStart);
  }

  /** Every process that holds temporary roots, once each. */
  tempRootHolders(): { readonly pid: number; readonly pidStart: number }[] {
    return (this.prepare('SELECT DISTINCT pid, pid_start FROM temp_roots').raw(true).all() as [number, number][])
      .map(([pid, pidStart]) => ({ pid, pidStart }));
  }

  /** Drop every temporary root of the process `pid` started at `pidStart`; returns how many there were. */
  removeTempRoots(pid: number, pidStart: number): number {
    return this.prepare('DELETE FROM temp_roots WHERE pid = ? AND pid_start = ?').run(pid, pidStart).changes;
  }

  deleteTempRoot(row: TempRootRow): void {
    this.prepare('DELETE FROM temp_roots WHERE object = ? AND pid = ? AND pid_start = ?').run(row.object, row.pid, row.pidStart);
  }

  /** The stat cache's entry for `path`, if any. */
  statEntry(path: string): StatRow | undefined {
    const r = this.prepare('SELECT * FROM stat_cache WHERE path = ?').safeIntegers(true).get(Buffer.from(path)) as RawStat | undefined;
    if (!r) return undefined;
    return {
      path, dev: u64(r.dev), ino: u64(r.ino), mode: r.mode, size: r.size, mtimeNs: r.mtime_ns, ctimeNs: r.ctime_ns,
      listing: r.listing ?? undefined, hash: r.hash as ContentHash, narSize: Number(r.nar_size), stampNs: r.stamp_ns,
    };
  }

  /**
   * Record (or replace) a stat cache entry. Not flushed to disk: an entry lost
   * by a power loss costs one re-read, so it does not pay for an fsync.
   */
  putStatEntry(row: StatRow): void {
    const insert = this.prepare('INSERT OR REPLACE INTO stat_cache (path, dev, ino, mode, size, mtime_ns, ctime_ns, listing, hash, nar_size, stamp_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.unflushed(() => {
      try {
        insert.run(Buffer.from(row.path), i64(row.dev), i64(row.ino), row.mode, row.size, row.mtimeNs, row.ctimeNs, row.listing ?? null, row.hash, row.narSize, row.stampNs);
      } catch (e) {
        throw sqliteError(e, this.db.name);
      }
    });
  }

  /** Forget the stat cache's entry for `path`. */
  deleteStatEntry(path: string): void {
    this.prepare('DELETE FROM stat_cache WHERE path = ?').run(Buffer.from(path));
  }

  /** Every path the stat cache has an entry for (gc prunes those that are gone). */
  statPaths(): string[] {
    return (this.prepare('SELECT path FROM stat_cache').raw(true).all() as [Buffer][]).map(([p]) => p.toString());
  }

  /** How many memos are kept. */
  memoCount(): number {
    return (this.prepare('SELECT count(*) FROM memos').raw(true).get() as [number])[0];
  }
}
