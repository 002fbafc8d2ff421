/**
 * What reaches the disk before an object is registered, now that its tree is
 * flushed on the thread pool (sync-tree.ts) rather than by the main thread:
 * every object's fsyncs have completed before its rename into store/, and
 * store/ is fsynced after that rename and before the write of its row to
 * the database's log. Seen with strace on a real realize with fsync on. And
 * kill -9 of such realizes at random moments leaves a store that verifies
 * consistent, and a realize afterwards gives the right result.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { decodeBase32 } from '../../src/store/base32.js';
import { openStore } from '../../src/store/store.js';
import { verify } from '../../src/store/verify.js';
import { bin, env, nomiaAsync, tempDir } from '../support/cli.js';
import { requireTool } from '../support/tools.js';

const DURABLE = { NOMIA_FSYNC: '1' };

/** Ten commands, each its own object, joined in one. */
function graph(salt: string): string {
  const leaves = Array.from({ length: 10 }, (_, i) => `l${i} = exec:run?args=[sh, -c, "echo ${salt} ${i} > $out"]`);
  return `compose\n${leaves.join(';\n')};\nexec:run?args=[sh, -c, "cat ${leaves.map((_, i) => `$l${i}`).join(' ')} > $out"](${leaves.map((_, i) => `l${i}: $l${i}`).join(', ')})`;
}
const expected = (salt: string) => Array.from({ length: 10 }, (_, i) => `${salt} ${i}\n`).join('');

type Event = { kind: 'fsync'; path: string } | { kind: 'rename'; from: string; to: string } | { kind: 'wal-write'; data: string };

/** The completed calls of an `strace -f -y` log, in the order they completed. */
function events(log: string): Event[] {
  const started = new Map<string, string>();
  const out: Event[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m as unknown as [string, string, string];
    let call = rest;
    if (rest.includes('<unfinished ...>')) {
      started.set(pid, rest.replace(/\s*<unfinished \.\.\.>$/, ''));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) {
      call = (started.get(pid) ?? '') + resumed[1];
      started.delete(pid);
    }
    if (!/= 0$|= \d+$/.test(call)) continue;
    const fsync = /^f(?:data)?sync\(\d+<(.*?)>\)/.exec(call);
    if (fsync) out.push({ kind: 'fsync', path: fsync[1]! });
    const rename = /^rename(?:at2?)?\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]*)", (?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]*)"/.exec(call);
    if (rename) out.push({ kind: 'rename', from: rename[1]!, to: rename[2]! });
    const wal = /^pwrite64\(\d+<[^>]*db\.sqlite-wal>, "(.*)", \d+, \d+\)/.exec(call);
    if (wal) out.push({ kind: 'wal-write', data: wal[1]! });
  }
  return out;
}

test('each new object is on disk before it is registered: its fsyncs done before its rename, store/ fsynced before its row is written', (t) => {
  if (!requireTool(t, 'strace', 'strace')) return;
  const dir = tempDir('flush-order');
  const store = join(dir, 'store');
  const trace = join(dir, 'trace');
  const r = spawnSync('strace', ['-f', '-y', '-s', '16384', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,pwrite64', '-o', trace, process.execPath, bin, '--store', store, 'realize', '--log-format', 'json', '-'], {
    cwd: dir, input: graph('order'), env: env(DURABLE), encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const seen = events(readFileSync(trace, 'utf8'));
  const storeDir = join(store, 'store');
  const renames = seen.flatMap((e, i) => (e.kind === 'rename' && e.from.startsWith(join(store, 'tmp')) && e.to.startsWith(`${storeDir}/`) ? [{ e, i }] : []));
  assert.equal(renames.length, 11, 'eleven new objects moved into store/');
  for (const { e, i } of renames) {
    const { from, to } = e as Extract<Event, { kind: 'rename' }>;
    const flushed = seen.slice(0, i).some((x) => x.kind === 'fsync' && (x.path === from || x.path.startsWith(`${from}/`)));
    assert.ok(flushed, `${to} was moved into store/ before its tree was fsynced`);
    // The write of its row: the first to the log after the move that holds its content hash (hex), which
    // only the objects table stores (the path, also in its temporary root's row, has it in base32).
    const hex = Buffer.from(decodeBase32(basename(to).slice(0, 52), 32)!).toString('hex');
    const registered = seen.findIndex((x, j) => j > i && x.kind === 'wal-write' && x.data.includes(hex));
    assert.ok(registered > i, `no commit registered ${to}`);
    const dirSynced = seen.slice(i + 1, registered).some((x) => x.kind === 'fsync' && x.path === storeDir);
    assert.ok(dirSynced, `${to} was registered before its move into store/ was fsynced`);
  }
});

test('kill -9 of realizes with fsync on, at random moments: the store verifies consistent, and a realize again is right', { timeout: 300_000 }, async () => {
  const dir = tempDir('flush-kill');
  const store = join(dir, 'store');
  const run = (salt: string, killAfter?: number) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = nomiaAsync(store, ['realize', '--log-format', 'plain', graph(salt)], DURABLE);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = killAfter === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfter);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
  const started = Date.now();
  assert.equal((await run('warm')).code, 0);
  const span = Date.now() - started;
  for (let round = 0; round < 8; round++) {
    const salt = `round${round}`;
    await run(salt, Math.floor(Math.random() * span));
    const s = openStore({ dir: store });
    try {
      const v = await verify(s);
      assert.ok(v.consistent, `round ${round}: ${JSON.stringify(v.issues.filter((i) => !i.leftover))}`);
    } finally {
      s.close();
    }
    const again = await run(salt);
    assert.equal(again.code, 0, again.err);
    assert.equal(readFileSync(again.out.trim().split('\n')[1]!, 'utf8'), expected(salt), `round ${round}: the result`);
  }
});
