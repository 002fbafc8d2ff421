/** Finding references by hash part (store/scan.ts), including matches that straddle chunks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HASH_PART_LENGTH, HashPartScanner, hashPart } from '../../src/store/scan.js';

const a = '0'.repeat(20) + 'abcdfghijklmnpqrsvwxyz' + '1'.repeat(10);
const b = 'z'.repeat(HASH_PART_LENGTH);

describe('hash parts', () => {
  test('the hash part is the 52 characters before the dash', () => {
    assert.equal(hashPart(`${a}-name`), a);
    assert.equal(a.length, HASH_PART_LENGTH);
  });

  test('only candidates are found, anywhere in the bytes', () => {
    const s = new HashPartScanner([a, b]);
    s.push(Buffer.from(`/store/${a}-x/bin and ${'y'.repeat(60)}`));
    assert.deepEqual([...s.found()], [a]);
  });

  test('a match split across chunks, at every split point, is found', () => {
    const text = Buffer.from(`prefix ${b}-suffix`);
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new HashPartScanner([b]);
      s.push(text.subarray(0, cut));
      s.push(text.subarray(cut));
      assert.deepEqual([...s.found()], [b], `cut at ${cut}`);
    }
  });

  test('nothing is found without candidates, or in a run that is one character short', () => {
    const none = new HashPartScanner([]);
    none.push(Buffer.from(a));
    assert.equal(none.found().size, 0);
    const short = new HashPartScanner([a]);
    short.push(Buffer.from(a.slice(1)));
    assert.equal(short.found().size, 0);
  });
});
