/** Hashing modulo self-reference and reference scanning: stream laws (any chunking) and the modulo rule. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeBase32 } from '../../src/store/base32.js';
import { hashPath } from '../../src/store/nar.js';
import { HASH_PART_LENGTH, HashPartScanner } from '../../src/store/scan.js';
import { hashModulo, Rewriter } from '../../src/store/self-reference.js';
import { tempDir } from '../support/cli.js';

const part = (seed: number) => encodeBase32(Buffer.alloc(32, seed));
const A = part(1);
const B = part(2);

/** Split `buf` at the given cut points. */
function chunks(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(buf.subarray(last, p));
    last = p;
  }
  out.push(buf.subarray(last));
  return out;
}

/** Text made of filler and occurrences of A and B. */
const text = fc.array(fc.oneof(fc.constant(A), fc.constant(B), fc.string({ maxLength: 20 }), fc.constant('x'.repeat(60))), { maxLength: 12 }).map((xs) => Buffer.from(xs.join(''), 'latin1'));

describe('Rewriter', () => {
  test('replaces every occurrence whatever the chunking, and reports the offsets', () => {
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (buf, cuts) => {
      const rw = new Rewriter(new Map([[A, B]]));
      const out = Buffer.concat([...chunks(buf, cuts).map((c) => Buffer.from(rw.push(c))), rw.end()]);
      const expected = Buffer.from(buf.toString('latin1').split(A).join(B), 'latin1');
      assert.deepEqual(out, expected);
      const offsets: number[] = [];
      for (let i = buf.indexOf(A); i !== -1; i = buf.indexOf(A, i + HASH_PART_LENGTH)) offsets.push(i);
      assert.deepEqual(rw.offsets.get(A), offsets);
    }));
  });
});

describe('HashPartScanner', () => {
  test('finds exactly the candidates present, whatever the chunking', () => {
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (buf, cuts) => {
      const scan = new HashPartScanner([A, B, part(3)]);
      for (const c of chunks(buf, cuts)) scan.push(c);
      const s = buf.toString('latin1');
      const expected = [A, B].filter((p) => s.includes(p));
      assert.deepEqual([...scan.found()].sort(), expected.sort());
    }));
  });
});

describe('hashModulo', () => {
  const tree = (root: string, self: string, extra = '') => {
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'run'), `#!/store/${self}-x/bin/sh\n${extra}`);
    symlinkSync(`/store/${self}-x/bin/run`, join(root, 'link'));
    return root;
  };

  test('is the plain NAR hash when there is no self-reference', async () => {
    const dir = tempDir('modulo');
    tree(join(dir, 't'), B);
    const plain = await hashPath(join(dir, 't'));
    const mod = await hashModulo(join(dir, 't'), A, [B]);
    assert.equal(mod.hash, plain.hash);
    assert.deepEqual(mod.selfReferences, []);
    assert.deepEqual([...mod.references], [B], 'the other part is found as a reference');
  });

  test('does not depend on which hash part the object refers to itself by', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 3, max: 250 }), fc.integer({ min: 3, max: 250 }), fc.string({ maxLength: 30 }), async (s1, s2, extra) => {
      const dir = tempDir('modulo');
      const one = await hashModulo(tree(join(dir, 'a'), part(s1), extra), part(s1));
      const two = await hashModulo(tree(join(dir, 'b'), part(s2), extra), part(s2));
      assert.equal(one.hash, two.hash);
      assert.equal(one.selfReferences.length, 2);
      assert.notEqual(one.hash, (await hashPath(join(dir, 'a'))).hash);
    }), { numRuns: 20 });
  });

  test('tells a self-reference apart from literal NUL bytes in its place', async () => {
    const dir = tempDir('modulo');
    writeFileSync(join(dir, 'a'), `x${A}y`);
    writeFileSync(join(dir, 'b'), `x${'\0'.repeat(HASH_PART_LENGTH)}y`);
    const withSelf = await hashModulo(join(dir, 'a'), A);
    const withNul = await hashModulo(join(dir, 'b'), A);
    assert.equal(withSelf.selfReferences.length, 1);
    assert.notEqual(withSelf.hash, withNul.hash);
  });
});
