import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteWriter, compareUtf8 } from '../../src/graph/bytes.js';

test('compareUtf8 orders exactly as the UTF-8 bytes do (astral vs U+E000–U+FFFF included)', () => {
  const s = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'z', '\uE000', '\uFFFF', '😀', '𝄞', 'é'), fc.constantFrom('b')), maxLength: 5 });
  fc.assert(fc.property(s, s, (a, b) => {
    assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
  }), { numRuns: 2000 });
});

test('ByteWriter writes the spec primitives and grows past its first buffer', () => {
  const long = 'x'.repeat(5000);
  const w = new ByteWriter().u8(0x1ff).u32(0x01020304).str('é').str(long);
  const b = w.finish();
  assert.deepEqual([...b.subarray(0, 11)], [0xff, 1, 2, 3, 4, 0, 0, 0, 2, 0xc3, 0xa9]);
  assert.equal(b.readUInt32BE(11), 5000);
  assert.equal(b.length, 15 + 5000);
  assert.equal(w.reset().u8(1).finish().length, 1);
});
