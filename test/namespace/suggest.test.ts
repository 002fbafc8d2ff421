/** "Did you mean …?": the closest known word, only when it is close. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { closest, didYouMean } from '../../src/namespace/suggest.js';

const namespaces = ['cc', 'context', 'deb', 'exec', 'fetch', 'filesystem', 'filter-source', 'gcc', 'git', 'ninja', 'package', 'service', 'unpack'];

describe('closest', () => {
  test('typos users make find the word meant', () => {
    assert.equal(closest('filesytem', namespaces), 'filesystem');
    assert.equal(closest('pakcage', namespaces), 'package');
    assert.equal(closest('exce', namespaces), 'exec');
    assert.equal(closest('lastest', ['latest', 'exact', 'closure', 'source']), 'latest');
    assert.equal(closest('pth', ['path', 'name']), 'path');
  });

  test('nothing close, no suggestion', () => {
    assert.equal(closest('xyz', namespaces), undefined);
    assert.equal(closest('docker', namespaces), undefined);
    assert.equal(didYouMean('xyz', namespaces), '');
    assert.equal(didYouMean('filesytem', namespaces), ' (did you mean `filesystem`?)');
  });

  test('law: a known word is its own closest, and one swap of a long word still finds it', () => {
    fc.assert(fc.property(fc.constantFrom(...namespaces), fc.nat(), (w, k) => {
      assert.equal(closest(w, namespaces), w);
      if (w.length < 6) return;
      const i = k % (w.length - 1);
      const swapped = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
      assert.equal(closest(swapped, namespaces), w);
    }));
  });
});
