/** Build logs kept by spelling (store/logs.ts): written whole under each spelling, read back, capped at the tail. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_LOG_BYTES, readLog, writeLog } from '../../src/store/logs.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';
import { distSrc, traced } from '../support/syscalls.js';
import { requireTool } from '../support/tools.js';

const store = openStore({ dir: join(tempDir('logs'), 'store'), fsync: false });
after(() => store.close());

describe('logs', () => {
  test('a log is kept under every spelling given, and a later run replaces it', () => {
    writeLog(store, ['nomia1-a', 'nomia1-b', 'nomia1-a'], ['one', 'two']);
    assert.equal(readLog(store, 'nomia1-a'), 'one\ntwo\n');
    assert.equal(readLog(store, 'nomia1-b'), 'one\ntwo\n');
    writeLog(store, ['nomia1-a'], []);
    assert.equal(readLog(store, 'nomia1-a'), '');
    assert.equal(readLog(store, 'nomia1-none'), undefined);
  });

  test('a log longer than the cap keeps its end', () => {
    const line = 'x'.repeat(1023);
    writeLog(store, ['nomia1-long'], [...Array.from({ length: (MAX_LOG_BYTES >> 10) + 10 }, () => line), 'the last line']);
    const kept = readLog(store, 'nomia1-long')!;
    assert.ok(kept.startsWith('[… earlier lines dropped]\n'));
    assert.ok(kept.endsWith('the last line\n'));
    assert.ok(Buffer.byteLength(kept) <= MAX_LOG_BYTES + 64);
  });

  test('a key that is not a spelling is refused, not a path', () => {
    assert.throws(() => writeLog(store, ['../escape'], ['x']), /not a spelling/);
  });

  test('a log is kept when its directory is gone, and no directory is made while it exists', (t) => {
    rmSync(join(store.layout.home, 'logs'), { recursive: true, force: true });
    writeLog(store, ['nomia1-again'], ['made again']);
    assert.equal(readLog(store, 'nomia1-again'), 'made again\n');
    if (!requireTool(t, 'strace', 'strace')) return;
    const script = `import { writeLog } from ${JSON.stringify(join(distSrc, 'store/logs.js'))};
import { openStore } from ${JSON.stringify(join(distSrc, 'store/store.js'))};
const store = openStore({ dir: ${JSON.stringify(store.layout.home)}, fsync: false });
for (const s of ['nomia1-x', 'nomia1-y', 'nomia1-z']) writeLog(store, [s], ['a line']);
store.close();`;
    const made = traced(script, 'mkdir,mkdirat').filter((l) => l.includes('/logs'));
    assert.deepEqual(made, [], 'one mkdir per log written');
  });
});
