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

  test('in random bytes cut into random chunks, exactly the candidates the bytes contain are found', () => {
    const alphabet = '0123456789abcdfghijklmnpqrsvwxyz';
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const word = () => Array.from({ length: HASH_PART_LENGTH }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const candidates = Array.from({ length: 4 }, word);
      // Binary noise, base32 runs of every length, and some candidates (glued to base32 characters or not).
      const parts: Buffer[] = [];
      for (let k = 0; k < 12; k++) {
        const pick = rand(4);
        if (pick === 0) parts.push(Buffer.from(Array.from({ length: rand(40) }, () => rand(256))));
        else if (pick === 1) parts.push(Buffer.from(word().slice(0, rand(HASH_PART_LENGTH + 20)), 'latin1'));
        else parts.push(Buffer.from(candidates[rand(candidates.length)]!.slice(pick === 2 ? 0 : rand(3)), 'latin1'));
      }
      const bytes = Buffer.concat(parts);
      const s = new HashPartScanner(candidates);
      for (let at = 0; at < bytes.length; ) {
        const n = rand(70);
        s.push(bytes.subarray(at, at + n));
        at += n;
      }
      const text = bytes.toString('latin1');
      assert.deepEqual([...s.found()].sort(), candidates.filter((c) => text.includes(c)).sort(), `round ${round}`);
    }
  });
});
