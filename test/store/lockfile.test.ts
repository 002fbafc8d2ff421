/**
 * Lock files: a crash at any moment, even between creating a lock file and
 * writing it, never wedges a name, and taking over stale locks never lets
 * two processes hold one lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanedUp } from '../../src/store/background.js';
import { lockFile, sweepLocks } from '../../src/store/lockfile.js';
import { tempDir } from '../support/cli.js';

const lockModule = fileURLToPath(new URL('../../src/store/lockfile.js', import.meta.url));

describe('lock files', () => {
  test('an empty lock file (a crash between create and write, or a power loss) is taken over', async () => {
    const dir = tempDir('lock-empty');
    const path = join(dir, 'key');
    writeFileSync(path, '');
    const lock = await lockFile(path, undefined, AbortSignal.timeout(5000));
    assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} \\d+$`));
    lock.release();
    // The release unlinks in the background (store/background.ts).
    await cleanedUp();
    assert.equal(existsSync(path), false);
  });

  test('a lock file is never visible without its owner in it', async () => {
    const dir = tempDir('lock-complete');
    const path = join(dir, 'key');
    const lock = await lockFile(path);
    assert.notEqual(readFileSync(path, 'utf8'), '');
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.new-')), [], 'the file it was made from is gone');
    lock.release();
  });

  test('sweepLocks removes lock files of dead owners, empty ones and half-made ones, and keeps live ones', async () => {
    const dir = tempDir('lock-sweep');
    writeFileSync(join(dir, 'dead'), '999999999 1');
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'half.new-999999999-1-abc'), '999999999 1');
    const live = await lockFile(join(dir, 'live'));
    assert.deepEqual(sweepLocks(dir).sort(), ['dead', 'empty', 'half.new-999999999-1-abc']);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('.takeover')), ['live']);
    live.release();
  });

  test('processes that crash while holding a lock never let two others hold it at once (6 processes × 30 rounds)', async () => {
    const dir = tempDir('lock-race');
    mkdirSync(join(dir, 'locks'));
    const held = join(dir, 'held');
    // Each round: take the lock, prove nobody else is inside, and sometimes "crash": leave the lock
    // file behind naming a dead owner (or empty, as a power loss would), without releasing.
    const script = `
      import { lockFile } from ${JSON.stringify(lockModule)};
      import { openSync, closeSync, unlinkSync, writeFileSync } from 'node:fs';
      const path = ${JSON.stringify(join(dir, 'locks', 'key'))};
      for (let i = 0; i < 30; i++) {
        const lock = await lockFile(path);
        closeSync(openSync(${JSON.stringify(held)}, 'wx'));
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        unlinkSync(${JSON.stringify(held)});
        const fate = Math.random();
        if (fate < 0.2) writeFileSync(path, '999999999 1');
        else if (fate < 0.3) writeFileSync(path, '');
        else lock.release();
      }`;
    const runs = Array.from({ length: 6 }, () => new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => resolve({ code, err }));
    }));
    for (const r of await Promise.all(runs)) assert.equal(r.code, 0, r.err);
  });
});
