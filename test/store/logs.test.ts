/** Build logs kept by spelling (store/logs.ts): written whole under each spelling, read back, capped at the tail. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MAX_LOG_BYTES, readLog, writeLog } from '../../src/store/logs.js';
import { openStore } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

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
});
