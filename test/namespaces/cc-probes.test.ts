/**
 * The scan for headers probed by `__has_include` (src/namespaces/cc/probes.ts)
 * on include trees made here: which paths gcc may look at, which of them
 * hold a file, and which do not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { layoutHeaders, probedHeaders } from '../../src/namespaces/cc/probes.js';
import { tempDir } from '../support/cli.js';

const dir = tempDir('cc-probes');
const trees = [join(dir, 't0'), join(dir, 't1')];
for (const path of ['t0/x.h', 't1/sub/s.h', 't1/sub/near.h', 't1/far.h', 't1/m.h', 't1/sub/dir/.keep']) {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), '');
}
const show = (hs: readonly { tree: number; path: string }[]) => hs.map((h) => `${h.tree}/${h.path}`);

describe('cc probes: __has_include scan', () => {
  test('a written-out probe: found in any tree it exists in, absent where it does not; a read header is left out', () => {
    const p = probedHeaders(trees, [{ tree: 0, path: 'x.h' }], [{ text: '#if __has_include(<far.h>) && __has_include_next("x.h") && __has_include ( "none.h" )\n#endif\n' }], []);
    assert.deepEqual(show(p.present), ['1/far.h']);
    assert.deepEqual(show(p.absent), ['0/far.h', '0/none.h', '1/none.h', '1/x.h']);
  });

  test('a quoted probe in a header is looked for beside it first; an angled one is not', () => {
    const at = { tree: 1, path: 'sub/s.h' };
    const quoted = probedHeaders(trees, [at], [{ text: '__has_include("near.h")', at }], []);
    assert.deepEqual(show(quoted.present), ['1/sub/near.h']);
    assert.deepEqual(show(quoted.absent), ['0/near.h', '1/near.h']);
    const angled = probedHeaders(trees, [at], [{ text: '__has_include(<near.h>)', at }], []);
    assert.deepEqual(show(angled.present), []);
  });

  test('a probe through a macro lays out every header name of the texts and flags that exists, and lists none absent', () => {
    const p = probedHeaders(trees, [], [{ text: '#define P "far.h"\n#if __has_include(P)\n#endif\nputs("no such file");\n' }], ['-DQ=<m.h>']);
    assert.deepEqual(show(p.present), ['1/far.h', '1/m.h']);
    assert.deepEqual(p.absent, []);
  });

  test('no probe: nothing; a directory or a name with a `..` step is no candidate', () => {
    assert.deepEqual(probedHeaders(trees, [], [{ text: '#include "far.h"\n' }], []), { present: [], absent: [] });
    const p = probedHeaders(trees, [], [{ text: '__has_include("sub/dir") __has_include("../t1/far.h")' }], []);
    assert.deepEqual(show(p.present), []);
    assert.deepEqual(show(p.absent), ['0/sub/dir', '1/sub/dir']);
  });

  test('the layout is the headers read and the probed ones, in the exact name\'s order', () => {
    assert.deepEqual(show(layoutHeaders([{ tree: 1, path: 'b.h' }], { present: [{ tree: 0, path: 'z.h' }, { tree: 1, path: 'a.h' }], absent: [] })), ['0/z.h', '1/a.h', '1/b.h']);
  });
});
