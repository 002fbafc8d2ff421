/**
 * What opening and closing a store costs every process (docs/store.md,
 * "Opening and closing"): a close leaves the write-ahead log for the next
 * process instead of checkpointing it, and the temporary roots of exited
 * processes are pruned in one unflushed write, or none when no holder has
 * exited. Counted with strace in a fresh Node, as each nomia is one.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { addPath } from '../../src/store/add.js';
import { self } from '../../src/store/process.js';
import { addRoot } from '../../src/store/roots.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { distSrc, traced } from '../support/syscalls.js';
import { requireTool } from '../support/tools.js';

/** The repository, where `better-sqlite3` resolves (this file is dist/test/store/). */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const touching = (lines: readonly string[], call: string, file: string) => lines.filter((l) => l.includes(`${call}(`) && l.includes(`/${file}>`));

test('a close keeps the write-ahead log: no checkpoint, and the next process sees every commit', async (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const dir = tempDir('close-log');
  const home = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'x\n');
  // Made first, by another process (this one must not hold the database open): creating it (page 1, the
  // switch to WAL) syncs its file once, as it must.
  const made = spawnSync(process.execPath, ['--input-type=module', '-e', `import { openStore } from '${distSrc}store/store.js'; openStore({ dir: ${JSON.stringify(home)} }).close();`], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const lines = traced(`
    import { openStore } from '${distSrc}store/store.js';
    import { addPath } from '${distSrc}store/add.js';
    import { addRoot } from '${distSrc}store/roots.js';
    const store = openStore({ dir: ${JSON.stringify(home)} });
    const { object } = await addPath(store, ${JSON.stringify(join(dir, 'x'))});
    addRoot(store, { name: 'kept', object: object.path, kind: 'absolute' });
    store.close();
  `, 'fsync,fdatasync,unlink', { paths: true });
  // A checkpoint is the only write of the database file itself; its log is flushed at each commit instead.
  assert.deepEqual(touching(lines, 'fsync', 'db.sqlite').concat(touching(lines, 'fdatasync', 'db.sqlite')), [], 'the database file was not checkpointed');
  assert.deepEqual(lines.filter((l) => /unlink\(".*db\.sqlite-(wal|shm)"\)/.test(l)), [], 'the log was not deleted');
  assert.ok(touching(lines, 'fsync', 'db.sqlite-wal').length > 0, 'the commits were flushed to the log');
  assert.ok(existsSync(join(home, 'db.sqlite-wal')), 'the log is there for the next process');
  const store = openStore({ dir: home, readOnly: true });
  try {
    assert.equal(store.db.root('kept')?.kind, 'absolute', 'the commit in the log is read back');
  } finally {
    store.close();
  }
});

test('opening prunes the temporary roots of exited processes in one unflushed write, and writes nothing when every holder runs', async (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const dir = tempDir('prune-open');
  const home = join(dir, 'store');
  writeFileSync(join(dir, 'x'), 'x\n');
  const store = openStore({ dir: home });
  try {
    const { object } = await addPath(store, join(dir, 'x'));
    addRoot(store, { name: 'kept', object: object.path, kind: 'absolute' });
    // A holder that has exited (its pid, with a start time it never had) and one that runs (this process).
    const exited = spawnSync('true').pid!;
    store.db.volatile(() => {
      for (const pidStart of [1, 2]) store.db.addTempRoot({ object: object.path, pid: exited, pidStart });
    });
    const me = self();
    assert.equal(store.db.tempRoots().filter((r) => r.pid === me.pid).length, 1, 'this process pinned what it added');
    // A fresh process opens the store and prunes, as every command that writes does; it fails unless `dropped` rows went.
    const openAndPrune = (dropped: number) => `
      import { openStore } from '${distSrc}store/store.js';
      import { pruneTempRoots } from '${distSrc}store/roots.js';
      const store = openStore({ dir: ${JSON.stringify(home)} });
      if (pruneTempRoots(store) !== ${dropped}) process.exitCode = 3;
      store.close();
    `;
    const pruning = traced(openAndPrune(2), 'fsync,fdatasync,pwrite64', { paths: true });
    assert.ok(touching(pruning, 'pwrite64', 'db.sqlite-wal').length > 0, 'the rows of the exited holder were deleted');
    assert.deepEqual([...touching(pruning, 'fsync', 'db.sqlite-wal'), ...touching(pruning, 'fdatasync', 'db.sqlite-wal')], [], 'the deletion was not flushed');
    assert.deepEqual(store.db.tempRoots().map((r) => r.pid), [me.pid], 'only the running holder\'s row is left');
    const idle = traced(openAndPrune(0), 'fsync,fdatasync,pwrite64', { paths: true });
    assert.deepEqual(touching(idle, 'pwrite64', 'db.sqlite-wal'), [], 'with every holder running, opening wrote nothing');
  } finally {
    store.close();
  }
});

test('opening a new store while another process turns it to WAL mode waits for it (SQLite refuses at once, without its busy handler)', async () => {
  const dir = tempDir('open-busy');
  const home = join(dir, 'store');
  const db = join(home, 'db.sqlite');
  // Another process holds the new database's reserved lock for a moment, as a second `nomia` opening the same new
  // store does while it switches the file to WAL mode; this one's own switch then needs the lock the other holds.
  mkdirSync(home, { recursive: true });
  const holder = spawn(process.execPath, ['-e', `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('CREATE TABLE held (x)');
    db.exec('BEGIN IMMEDIATE');
    db.exec('INSERT INTO held VALUES (1)');
    process.stdout.write('held\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);
  `, db], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await once(holder.stdout, 'data');
  const store = openStore({ dir: home });
  store.close();
  await once(holder, 'exit');
});
